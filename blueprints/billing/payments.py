"""What happens in QuickBooks comes back: "Check QuickBooks now" (and its self-polling status),
exporting again an invoice deleted in QuickBooks (after a confirmation), and the template
helpers the invoice page, the batch page and the dashboard's receivables partial use.
The work lives in services/payments."""
from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from access import EVERYONE_LOGGED_IN, MANAGERS, roles
from blueprints.billing.blueprint import bp
from htmx import is_fragment_request, vary
from services.agency import batches as batch_service
from services.payments import lease, runner
from services.payments.receivables import receivables_for
from services.payments.reexport import ExportAgainRefused, deleted_record, export_again
from services.payments.statuses import payments_of, statuses_for
from services.qbo_connection import current_realm

MAX_SHOWN = 1000  # invoices a page may ask about (a page draws 100)
CHECKED_EVENT = "qbo-checked"   # sent (HX-Trigger) when a check finishes: statuses reload in place


def _back_url() -> str:
    """Where a plain (non-htmx) form goes back to: the page it names, a local path only."""
    target = request.form.get("next", "")
    local = target.startswith("/") and not target.startswith("//") and "\\" not in target
    return target if local else url_for("dashboard.index")


def _check_fragment(running: bool, message: str = ""):
    realm_id = current_realm(connected=False)
    body = render_template("billing/_qbo_check.html", running=running, message=message,
                           check=lease.state_of(realm_id), connected=bool(current_realm()))
    response = vary(make_response(body))
    if not running and request.method == "GET":
        response.headers["HX-Trigger"] = CHECKED_EVENT
    return response


@bp.route("/quickbooks/check", methods=["POST"])
@roles(EVERYONE_LOGGED_IN)  # a read of QuickBooks that changes nothing a person chose
def check_quickbooks():
    started, message = runner.request_check(current_app._get_current_object(), current_realm())
    if is_fragment_request():
        return _check_fragment(started, message)
    flash(message, "info" if started else "warning")
    return redirect(_back_url(), 303)


@bp.route("/quickbooks/check")
@roles(EVERYONE_LOGGED_IN)
def check_status():
    if not is_fragment_request():
        return redirect(url_for("dashboard.index"))
    return _check_fragment(runner.pending(current_realm(connected=False)))


def _invoice_or_404(invoice_id: int):
    invoice = batch_service.invoice_for(current_user, invoice_id)
    if invoice is None:
        abort(404)
    return invoice


@bp.route("/invoices/<int:invoice_id>/export-again", methods=["GET", "POST"])
@roles(MANAGERS)  # exporting is a manager action
def export_again_view(invoice_id: int):
    invoice = _invoice_or_404(invoice_id)
    realm_id = current_realm()
    if request.method == "GET":
        record = deleted_record(realm_id, invoice.id) if realm_id else None
        return render_template("billing/export_again.html", invoice=invoice, record=record)
    try:
        outcome = export_again(current_user, invoice, realm_id)
    except ExportAgainRefused as refused:
        flash(str(refused), "warning")
    else:
        flash(outcome.message, "success" if outcome.queued else "info")
    return redirect(url_for("billing.batch", batch_id=invoice.batch_id), 303)


@bp.app_template_global("qbo_invoice_status")
def qbo_invoice_status(invoice_id: int):
    """The invoice page's QuickBooks status (None before it is exported)."""
    return statuses_for(current_realm(connected=False), [invoice_id]).get(invoice_id)


@bp.app_template_global("qbo_payments_of")
def qbo_payments_of(status):
    return payments_of(current_realm(connected=False), status.qbo_id if status else None)


@bp.app_template_global("qbo_receivables")
def qbo_receivables():
    return receivables_for(current_user, current_realm(connected=False))


@bp.app_template_global("qbo_check_state")
def qbo_check_state():
    realm_id = current_realm(connected=False)
    return {"check": lease.state_of(realm_id), "running": runner.pending(realm_id),
            "connected": bool(current_realm())}


@bp.route("/batches/<int:batch_id>/qbo-states")
@roles(EVERYONE_LOGGED_IN)
def batch_qbo_states(batch_id: int):
    """After a check: the QuickBooks status of the invoices on the person's page (`shown`), out
    of band, so the icons change in place with one request."""
    import converters

    batch = batch_service.batch_for(current_user, batch_id)
    if batch is None:
        abort(404)
    if not is_fragment_request():
        return redirect(url_for("billing.batch", batch_id=batch.id))
    shown = set(converters.ids(request.args.get("shown", "").split(",")[:MAX_SHOWN]))
    found = batch_statuses(batch.id, shown)
    return vary(make_response(render_template("billing/_qbo_states_oob.html", statuses=found)))


def batch_statuses(batch_id: int, shown: set[int]) -> dict:
    from sqlalchemy import select

    from extensions import db
    from models import Invoice

    ids = [i for i in db.session.scalars(select(Invoice.id).where(Invoice.batch_id == batch_id)) if i in shown]
    return statuses_for(current_realm(connected=False), ids)
