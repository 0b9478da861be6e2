from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from access import EVERYONE_LOGGED_IN, MANAGERS, roles
from blueprints.billing.blueprint import bp
from blueprints.billing.forms import FinalizeForm, InvoiceUploadForm
from converters import date_arg as _date_arg, int_arg as _int_arg, page_arg
from extensions import db
from htmx import render_page
from services.export import status as export_status
from models import BatchStatus
from services.agency import batches as batch_service
from services.agency.offices import visible_offices
from services.pagination import paginate


def _batch_list(status: BatchStatus, template: str, endpoint: str):
    offices = visible_offices(current_user)
    office_id = _int_arg("office")
    if office_id not in {o.id for o in offices}:
        office_id = None
    date_from, date_to = _date_arg("from"), _date_arg("to")
    statement = batch_service.batch_rows_statement(current_user, status, office_id, date_from, date_to)
    page = paginate(statement, page_arg(), current_app.config["PAGE_SIZE"])
    rows = batch_service.to_batch_rows(page.items)
    filters = {"office": office_id or "", "from": date_from.isoformat() if date_from else "",
               "to": date_to.isoformat() if date_to else ""}

    def page_url(number: int) -> str:
        return url_for(endpoint, **{k: v for k, v in filters.items() if v}, page=number)

    exported = export_status.exported_counts_for(rows) if status == BatchStatus.FINALIZED else {}
    return render_page(template, block="results", rows=rows, page=page, offices=offices,
                       filters=filters, page_url=page_url, exported=exported,
                       filtered=bool(office_id or date_from or date_to))


@bp.route("/batches")
@roles(EVERYONE_LOGGED_IN)
def batches():
    return _batch_list(BatchStatus.FINALIZED, "billing/batches.html", "billing.batches")


@bp.route("/drafts")
@roles(EVERYONE_LOGGED_IN)
def drafts():
    return _batch_list(BatchStatus.DRAFT, "billing/drafts.html", "billing.drafts")


def _visible_batch_or_404(batch_id: int):
    batch = batch_service.batch_for(current_user, batch_id)
    if batch is None:
        abort(404)
    return batch


@bp.route("/batches/<int:batch_id>")
@roles(EVERYONE_LOGGED_IN)
def batch(batch_id: int):
    batch = _visible_batch_or_404(batch_id)
    return _batch_page(batch, FinalizeForm())


BATCH_PAGE_SIZE = 50  # rows per page, as QuickBooks' own lists (app.config["BATCH_PAGE_SIZE"] overrides): ~65 KB


def _batch_page(batch, finalize_form):
    """One page of the batch's invoices (optionally one status group); counts, totals and
    "Select all eligible" cover the whole batch."""
    group = request.args.get("show") if request.args.get("show") in export_status.GROUPS else None
    view = export_status.batch_view(batch)
    page = view.page(page_arg(), current_app.config.get("BATCH_PAGE_SIZE", BATCH_PAGE_SIZE), group)
    export_status.with_qbo_statuses(page.items)

    def page_url(number: int) -> str:
        return url_for("billing.batch", batch_id=batch.id, page=number, **({"show": group} if group else {}))

    return render_template("billing/batch.html", batch=batch, view=view, page=page, group=group,
                           page_url=page_url, totals=view.totals(), finalize_form=finalize_form,
                           names=export_status.names_for(page.items),
                           groups=export_status.GROUPS,
                           polled_at=view.polled_at)


@bp.route("/batches/<int:batch_id>/finalize", methods=["POST"])
@roles(MANAGERS)
def finalize(batch_id: int):
    batch = _visible_batch_or_404(batch_id)
    form = FinalizeForm()
    if batch.is_finalized:
        flash(f"Batch {batch.number} is already finalized and cannot be changed.", "warning")
        return redirect(url_for("billing.batch", batch_id=batch.id), 303)
    if not form.validate_on_submit():
        return _batch_page(batch, form)
    try:
        batch_service.finalize_batch(batch, current_user)
    except batch_service.BatchNotFinalizable as problem:
        db.session.rollback()
        flash(str(problem), "warning")
        return redirect(url_for("billing.batch", batch_id=batch_id), 303)
    db.session.commit()
    flash(f"Batch {batch.number} is finalized.", "success")
    return redirect(url_for("billing.batch", batch_id=batch.id), 303)


@bp.route("/invoices/<int:invoice_id>")
@roles(EVERYONE_LOGGED_IN)
def invoice(invoice_id: int):
    invoice = batch_service.invoice_for(current_user, invoice_id)
    if invoice is None:
        abort(404)
    return render_template("billing/invoice.html", invoice=invoice,
                           export_events=export_status.history(invoice.id))


@bp.route("/import", methods=["GET", "POST"])
@roles(MANAGERS)
def import_batches():
    from services.imports import import_invoices_csv

    form = InvoiceUploadForm()
    result = None
    if form.validate_on_submit():
        try:
            result = import_invoices_csv(form.file.data.stream, db.session,
                                         finalize=bool(form.finalize.data), user=current_user)
        except batch_service.FinalizedBatchError as refused:  # the lock, as a last line of defence
            db.session.rollback()
            form.file.errors.append(f"{refused} Nothing was imported.")
            result = None
        else:
            if result.ok:  # the import committed; a failed one wrote nothing
                flash(result.summary, "success")
                return redirect(url_for("billing.batches" if form.finalize.data else "billing.drafts"))
            db.session.rollback()
    return render_template("billing/import.html", form=form, result=result)
