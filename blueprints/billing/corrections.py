"""Before and after export (issue 16): the preview of a batch, and the corrections of an exported
invoice — Correct (a new revision), Update in QuickBooks, Void in QuickBooks — and Undo export of
a whole run. Thin views over services/export/preview.py and services/corrections/. Every POST
carries the CSRF token (CSRFProtect); every change is for Owners and Admins, checked here."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

import converters
from access import EVERYONE_LOGGED_IN, MANAGERS, roles
from blueprints.billing.blueprint import bp
from extensions import db
from htmx import is_fragment_request
from models.export import ExportJob
from services.agency import batches as batch_service
from services.corrections import revisions, service
from services.corrections.revisions import CorrectionRefused
from services.export import status as export_status
from services.qbo_connection import current_realm


def _batch_or_404(batch_id: int):
    batch = batch_service.batch_for(current_user, batch_id)
    if batch is None or not batch.is_finalized:
        abort(404)
    return batch


def _invoice_or_404(invoice_id: int):
    invoice = batch_service.invoice_for(current_user, invoice_id)
    if invoice is None:
        abort(404)
    return invoice


def _preview_client(realm_id: str):
    """The connected client for the preview's read-only look-ups, or None (then none are made)."""
    from qbo.errors import QboError
    from services.export.client import make_client

    try:
        return make_client()
    except QboError:
        return None


@bp.route("/batches/<int:batch_id>/preview")
@roles(EVERYONE_LOGGED_IN)  # a preview sends nothing: Agency Users may look too
def preview_batch(batch_id: int):
    from services.export import preview

    batch = _batch_or_404(batch_id)
    realm_id = current_realm()
    if not realm_id:
        flash("Connect QuickBooks to preview what it would receive.", "warning")
        return redirect(url_for("billing.batch", batch_id=batch.id), 303)
    chosen = set(converters.ids(request.args.getlist("invoice")))
    if request.args.get("all_eligible"):
        chosen |= set(export_status.batch_view(batch).selectable_ids)
    found = preview.build(batch, sorted(chosen) if chosen else None, realm_id, _preview_client(realm_id))
    db.session.commit()  # the tax settings, when this preview was the first to read them
    return render_template("billing/preview.html", batch=batch, found=found, whole=not chosen)


@bp.route("/invoices/<int:invoice_id>/correct", methods=["GET", "POST"])
@roles(MANAGERS)
def correct_invoice(invoice_id: int):
    invoice = _invoice_or_404(invoice_id)
    lines = revisions.current_lines(invoice)
    if request.method == "POST":
        edits = [revisions.LineEdit(n, request.form.get(f"qty-{n}", ""), request.form.get(f"rate-{n}", ""),
                                    request.form.get(f"description-{n}", ""), bool(request.form.get(f"remove-{n}")))
                 for n in range(len(lines))]
        try:
            revision = revisions.correct(current_user, invoice, edits, request.form.get("reason", ""), current_realm())
        except CorrectionRefused as refused:
            db.session.rollback()
            return render_template("billing/correct.html", invoice=invoice, lines=lines, error=str(refused),
                                   form=request.form), 400
        flash(f"Revision {revision.number} of invoice {invoice.number} saved. QuickBooks still has the "
              "previous lines until you press Update in QuickBooks.", "success")
        return redirect(url_for("billing.invoice", invoice_id=invoice.id), 303)
    if revisions.exported_record(current_realm(), invoice.id) is None:
        flash(f"Invoice {invoice.number} is not in QuickBooks; only exported invoices are corrected.", "warning")
        return redirect(url_for("billing.invoice", invoice_id=invoice.id), 303)
    return render_template("billing/correct.html", invoice=invoice, lines=lines, error=None, form=None)


def _after_action(invoice, action):
    level = {"done": "success", "refused": "danger"}.get(action.status.value, "info")
    flash(action.message or f"{action.kind.label}: {action.status.value}", level)
    return redirect(url_for("billing.invoice", invoice_id=invoice.id), 303)


@bp.route("/invoices/<int:invoice_id>/qbo/update", methods=["POST"])
@roles(MANAGERS)
def update_in_qbo(invoice_id: int):
    invoice = _invoice_or_404(invoice_id)
    try:
        action = service.update_in_quickbooks(current_user, invoice)
    except CorrectionRefused as refused:
        flash(str(refused), "danger")
        return redirect(url_for("billing.invoice", invoice_id=invoice.id), 303)
    return _after_action(invoice, action)


@bp.route("/invoices/<int:invoice_id>/qbo/void", methods=["GET", "POST"])
@roles(MANAGERS)
def void_in_qbo(invoice_id: int):
    invoice = _invoice_or_404(invoice_id)
    record = revisions.exported_record(current_realm(), invoice.id)
    if request.method == "GET":
        return render_template("billing/void.html", invoice=invoice, record=record)
    try:
        action = service.void_in_quickbooks(current_user, invoice)
    except CorrectionRefused as refused:
        flash(str(refused), "danger")
        return redirect(url_for("billing.invoice", invoice_id=invoice.id), 303)
    return _after_action(invoice, action)


def _job_or_404(job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.batch_id is None or batch_service.batch_for(current_user, job.batch_id) is None:
        abort(404)
    return job


@bp.route("/exports/runs/<int:job_id>/undo", methods=["GET", "POST"])
@roles(MANAGERS)
def undo_export(job_id: int):
    job = _job_or_404(job_id)
    if request.method == "GET":
        return render_template("billing/undo.html", job=job, records=service.undoable(job),
                               mode=service.undo_mode(job.realm_id), undo=service.undo_of(job))
    try:
        started = service.start_undo(current_user, job)
    except CorrectionRefused as refused:
        flash(str(refused), "danger")
        return redirect(url_for("billing.undo_export", job_id=job.id), 303)
    flash(started.message, "info")
    return redirect(url_for("billing.undo_export", job_id=job.id), 303)


@bp.route("/exports/runs/<int:job_id>/undo/progress")
@roles(EVERYONE_LOGGED_IN)
def undo_progress(job_id: int):
    job = _job_or_404(job_id)
    undo = service.undo_of(job)
    if not is_fragment_request():
        return redirect(url_for("billing.batch", batch_id=job.batch_id))
    return render_template("billing/_undo_progress.html", job=job, undo=undo,
                           progress=service.undo_progress(undo) if undo else None)


@bp.route("/exports/undo-setting", methods=["POST"])
@roles(MANAGERS)
def undo_setting():
    realm_id = current_realm()
    if not realm_id:
        flash("Connect QuickBooks first: the setting is kept per QuickBooks company.", "warning")
    else:
        try:
            mode = service.set_undo_mode(realm_id, request.form.get("undo_mode", ""), current_user)
            flash(f"Undo export will {mode.value} the invoices it takes back.", "success")
        except CorrectionRefused as refused:
            flash(str(refused), "danger")
    return redirect(url_for("billing.export_log"), 303)


@bp.app_template_global("corrections_of")
def corrections_of(invoice_id: int):
    """The invoice page's corrections panel: revisions, actions, what may be pressed."""
    from services.corrections.panel import panel_for

    return panel_for(current_realm(), invoice_id)


@bp.app_template_global("export_runs_of")
def export_runs_of(batch_id: int):
    from services.corrections.panel import runs_of

    return runs_of(batch_id)


@bp.app_template_global("undo_progress_of")
def undo_progress_of(undo: ExportJob):
    return service.undo_progress(undo)
