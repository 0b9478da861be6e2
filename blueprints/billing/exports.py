"""Export to QuickBooks from the billing pages: start, progress (a self-polling partial), Retry,
and the export audit log. The work itself runs in the background exporter (services/export)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

import converters
from access import EVERYONE_LOGGED_IN, MANAGERS, roles
from blueprints.billing.blueprint import bp
from extensions import db
from htmx import is_fragment_request, render_page, vary
from models import User
from services.agency import batches as batch_service
from services import export as export_service
from services.export import audit, log as export_log_rows, status as export_status
from services.agency.offices import visible_office_ids
from services.qbo_connection import current_realm


def _batch_or_404(batch_id: int):
    batch = batch_service.batch_for(current_user, batch_id)
    if batch is None:
        abort(404)
    return batch


MAX_SHOWN = 1000  # rows a page may say it shows (a page draws 200)


def _since() -> datetime | None:
    try:
        since = datetime.fromisoformat(request.values.get("since", ""))
    except ValueError:
        return None  # no cursor: every row with an export record is sent
    return since if since.tzinfo else since.replace(tzinfo=timezone.utc)


def _progress_response(batch, message: str | None = None, level: str = "info", full: bool = False):
    """The progress box, the counts, and out of band the cells of shown rows whose export record
    changed since the page's last answer. While an export runs this is all (it answers a poll
    every second); otherwise (`full`, or the export has ended) the batch-wide controls too."""
    since = _since()
    if since is not None and message is None and not full and not export_status.changed_since(batch, since):
        # Nothing to swap: 204 leaves the box (and its cursor and polling) as it is.
        return vary(make_response("", 204))
    shown = set(converters.ids(request.values.get("shown", "").split(",")[:MAX_SHOWN])) or None
    view = export_status.progress_view(batch, since=since, shown=shown)
    whole = export_status.batch_view(batch) if full or not view.progress.running else None
    group = request.values.get("show") if request.values.get("show") in export_status.GROUPS else None
    body = render_template("billing/_export_progress.html", batch=batch, view=view, message=message,
                           level=level, oob=True, full=whole, polled_at=view.polled_at,
                           groups=export_status.GROUPS, group=group)
    return vary(make_response(body))


@bp.route("/batches/<int:batch_id>/export", methods=["POST"])
@roles(MANAGERS)  # the README's role table: export is read-only for Agency Users
def export_batch(batch_id: int):
    batch = _batch_or_404(batch_id)
    chosen = set(converters.ids(request.form.getlist("invoice")))
    if request.form.get("all_eligible"):
        chosen |= set(export_status.batch_view(batch).selectable_ids)
    if not chosen:
        return _answer(batch, "Tick at least one invoice to export.", "warning")
    try:
        job = export_service.start_export(current_user, batch, sorted(chosen),
                                          note=_preview_note(request.form.get("from_preview", "")))
    except export_service.ExportRefused as refused:
        return _answer(batch, str(refused), "danger")
    return _answer(batch, *export_status.started_message(batch, job, chosen))


def _preview_note(shown: str) -> str:
    """The audit's words for an export started from the preview page (which sends its total)."""
    from decimal import Decimal, InvalidOperation

    if not shown:
        return ""
    try:
        return f", after a preview (QuickBooks total shown: ${Decimal(shown[:20]):,.2f})"
    except (InvalidOperation, ValueError):
        return ", after a preview"


def _answer(batch, message: str, level: str):
    """Export and Retry answer alike: the progress fragment for htmx, else flash and back."""
    if is_fragment_request():
        return _progress_response(batch, message, level, full=True)
    flash(message, level)
    return redirect(url_for("billing.batch", batch_id=batch.id), 303)


@bp.route("/batches/<int:batch_id>/export/progress")
@roles(EVERYONE_LOGGED_IN)
def export_progress(batch_id: int):
    batch = _batch_or_404(batch_id)
    if not is_fragment_request():
        return redirect(url_for("billing.batch", batch_id=batch.id))
    return _progress_response(batch)


@bp.route("/invoices/<int:invoice_id>/export/retry", methods=["POST"])
@roles(MANAGERS)
def export_retry(invoice_id: int):
    invoice = batch_service.invoice_for(current_user, invoice_id)
    if invoice is None:
        abort(404)
    batch = invoice.batch
    try:
        export_service.start_export(current_user, batch, [invoice.id])
        message, level = f"Invoice {invoice.number} queued again.", "info"
    except export_service.ExportRefused as refused:
        message, level = str(refused), "danger"
    return _answer(batch, message, level)


@bp.route("/exports")
@roles(EVERYONE_LOGGED_IN)
def export_log():
    """One row per invoice action (services/export/log.py), filtered by the query string."""
    args = request.args
    filters = {"from": args.get("from", ""), "to": args.get("to", ""),
               "result": args.get("result", "") if args.get("result") in export_log_rows.RESULTS else "",
               "invoice": args.get("invoice", "").strip()[:30], "batch": args.get("batch", "").strip()[:30],
               "user": converters.int_arg("user") or "",
               "what": args.get("what", "") if args.get("what") in export_log_rows.WHATS else ""}
    flt = audit.AuditFilter(office_ids=visible_office_ids(current_user), invoice_number=filters["invoice"] or None,
                            user_id=filters["user"] or None,
                            date_from=converters.date_arg("from"), date_to=converters.date_arg("to"))
    rows = export_log_rows.rows(flt, result=filters["result"] or None, batch_number=filters["batch"] or None,
                                what=filters["what"] or None)
    users = db.session.scalars(db.select(User).order_by(User.name)).all()
    from services.corrections.service import undo_mode

    return render_page("billing/export_log.html", block="results", rows=rows, filters=filters,
                       results=export_log_rows.RESULTS, actions=audit.ACTIONS, users=users,
                       whats=export_log_rows.WHATS, undo_mode=undo_mode(current_realm()))


@bp.app_template_global("may_export")
def may_export() -> bool:
    """Whether the signed-in user gets the Export and Retry controls (the routes check it too;
    it reads only the signed-in user, no query)."""
    return current_user.is_authenticated and current_user.role in MANAGERS
