from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from access import EVERYONE_LOGGED_IN, MANAGERS, roles
from blueprints.clients.forms import ClientForm
from blueprints.csv_import import import_page
from converters import int_arg as _int_arg, page_arg
from extensions import db
from htmx import render_page
from services.agency import clients as client_service
from services.agency.offices import visible_offices
from services.pagination import paginate

bp = Blueprint("clients", __name__, url_prefix="/clients")


@bp.route("")
@roles(EVERYONE_LOGGED_IN)
def index():
    offices = visible_offices(current_user)
    office_id = _int_arg("office")
    if office_id not in {o.id for o in offices}:
        office_id = None  # a hand-typed office the user cannot see is simply not a filter
    status = request.args.get("status", "active")
    if status not in client_service.STATUSES:
        status = "active"
    q = request.args.get("q", "").strip()[:100]
    statement = client_service.clients_query(current_user, office_id=office_id, q=q, status=status)
    page = paginate(statement, page_arg(), current_app.config["PAGE_SIZE"])
    filters = {"office": office_id or "", "q": q, "status": status}

    def page_url(number: int) -> str:
        return url_for("clients.index", **{k: v for k, v in filters.items() if v}, page=number)

    return render_page(
        "clients/index.html", block="results", page=page, offices=offices, filters=filters,
        page_url=page_url, list_name=client_service.list_name,
        filtered=bool(office_id or q or status != "active"),
    )


def _client_form(client=None) -> ClientForm:
    form = ClientForm(obj=client)
    form.office_id.choices = [SelectChoice(o.id, o.name) for o in visible_offices(current_user)]
    if client is None and request.method == "GET" and len(form.office_id.choices) == 1:
        form.office_id.data = form.office_id.choices[0].value
    return form


def _save(form: ClientForm, client=None):
    """Validate and save; returns the saved client, or None when the form must be shown again."""
    if not form.validate_on_submit():
        return None
    data = form.cleaned()
    if client_service.code_in_use(data["code"], exclude_id=client.id if client else None):
        form.code.errors.append("Another client already has this client number.")
        return None
    try:
        result = client_service.save_client(current_user, data, client)
    except client_service.ClientOfficeNotAllowed:
        abort(404)
    db.session.commit()
    return result.client


@bp.route("/new", methods=["GET", "POST"])
@roles(EVERYONE_LOGGED_IN)
def new():
    form = _client_form()
    if not form.office_id.choices:
        flash("You have no office yet; ask an Owner to assign you one.", "warning")
        return redirect(url_for("clients.index"))
    saved = _save(form)
    if saved is not None:
        flash(f"Client {client_service.list_name(saved)} added.", "success")
        return redirect(url_for("clients.index", q=saved.code, status="all"))
    return render_template("clients/form.html", form=form, client=None)


@bp.route("/<int:client_id>/edit", methods=["GET", "POST"])
@roles(EVERYONE_LOGGED_IN)
def edit(client_id: int):
    client = client_service.client_for(current_user, client_id)
    if client is None:
        abort(404)
    form = _client_form(client)
    saved = _save(form, client)
    if saved is not None:
        flash(f"Client {client_service.list_name(saved)} saved.", "success")
        return redirect(url_for("clients.index", q=saved.code, status="all"))
    return render_template("clients/form.html", form=form, client=client)


@bp.route("/import", methods=["GET", "POST"])
@roles(MANAGERS)
def import_csv():
    from services.imports import import_clients_csv

    return import_page(import_clients_csv, noun="client", plural="clients", index_endpoint="clients.index")
