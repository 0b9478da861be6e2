"""Caregivers page: everyone signed in reads the caregivers of their offices; Owners and Admins
add, edit and import them (the service checks the role again)."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from access import EVERYONE_LOGGED_IN, MANAGERS, roles
from blueprints.caregivers.forms import CaregiverForm
from blueprints.csv_import import import_page
from converters import int_arg, page_arg
from extensions import db
from htmx import render_page
from services.agency.offices import visible_offices
from services.caregivers import records
from services.pagination import paginate
from services.imports.records import CODE

bp = Blueprint("caregivers", __name__, url_prefix="/caregivers")


@bp.route("")
@roles(EVERYONE_LOGGED_IN)
def index():
    offices = visible_offices(current_user)
    office_id = int_arg("office")
    if office_id not in {o.id for o in offices}:
        office_id = None
    status = request.args.get("status", "active")
    status = status if status in records.STATUSES else "active"
    q = request.args.get("q", "").strip()[:100]
    statement = records.caregivers_query(current_user, office_id=office_id, q=q, status=status)
    page = paginate(statement, page_arg(), current_app.config["PAGE_SIZE"])
    filters = {"office": office_id or "", "q": q, "status": status}

    def page_url(number: int) -> str:
        return url_for("caregivers.index", **{k: v for k, v in filters.items() if v}, page=number)

    return render_page("caregivers/index.html", block="results", page=page, offices=offices, filters=filters,
                       page_url=page_url, can_edit=current_user.role in MANAGERS,
                       filtered=bool(office_id or q or status != "active"))


@bp.route("/<int:caregiver_id>")
@roles(EVERYONE_LOGGED_IN)
def show(caregiver_id: int):
    caregiver = records.caregiver_for(current_user, caregiver_id) or abort(404)
    return render_template("caregivers/show.html", caregiver=caregiver,
                           can_edit=current_user.role in MANAGERS)


def _form(caregiver=None) -> CaregiverForm:
    form = CaregiverForm(obj=caregiver)
    if caregiver is not None and request.method == "GET":
        form.kind.data = caregiver.kind.value
    form.office_id.choices = [SelectChoice(o.id, o.name) for o in visible_offices(current_user)]
    return form


def _save(form: CaregiverForm, caregiver=None):
    """Validate and save; the saved result, or None when the form must be shown again."""
    if not form.validate_on_submit():
        return None
    data = form.cleaned()
    if not CODE.fullmatch(data["code"]):  # the same rule as caregivers.csv
        form.code.errors.append("Use letters, digits and . _ - / (at most 30 characters).")
        return None
    if records.code_in_use(data["code"], exclude_id=caregiver.id if caregiver else None):
        form.code.errors.append("Another caregiver already has this caregiver number.")
        return None
    try:
        result = records.save_caregiver(current_user, data, caregiver)
    except records.NotAllowed:
        abort(404)
    db.session.commit()
    return result


@bp.route("/new", methods=["GET", "POST"])
@roles(MANAGERS)
def new():
    form = _form()
    result = _save(form)
    if result is not None:
        flash(f"Caregiver {result.caregiver.list_name} added.", "success")
        return redirect(url_for("caregivers.index", q=result.caregiver.code, status="all"))
    return render_template("caregivers/form.html", form=form, caregiver=None)


@bp.route("/<int:caregiver_id>/edit", methods=["GET", "POST"])
@roles(MANAGERS)
def edit(caregiver_id: int):
    caregiver = records.caregiver_for(current_user, caregiver_id) or abort(404)
    form = _form(caregiver)
    result = _save(form, caregiver)
    if result is not None:
        renamed = (f" {result.draft_lines_renamed} line(s) of draft invoices now show the new name;"
                   " finalized invoices keep the name they were billed with.") if result.draft_lines_renamed else ""
        flash(f"Caregiver {result.caregiver.list_name} saved.{renamed}", "success")
        return redirect(url_for("caregivers.index", q=result.caregiver.code, status="all"))
    return render_template("caregivers/form.html", form=form, caregiver=caregiver)


@bp.route("/import", methods=["GET", "POST"])
@roles(MANAGERS)
def import_csv():
    from services.imports import import_caregivers_csv

    return import_page(import_caregivers_csv, noun="caregiver", plural="caregivers", index_endpoint="caregivers.index")
