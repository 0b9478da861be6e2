"""Export time from a finalized batch (issue 17): the batch page's time panel (visits, per-visit
QuickBooks state, a self-polling progress line), Export time and Retry. The work runs in the
background time worker (services/time_export). Everyone who may see the batch sees the panel;
only Owners and Admins export (checked here, whatever the page shows)."""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

import converters
from access import EVERYONE_LOGGED_IN, MANAGERS, roles
from blueprints.billing.blueprint import bp
from htmx import is_fragment_request, vary
from services import time_export
from services.agency import batches as batch_service
from services.export import ExportRefused
from services.qbo_connection import current_realm
from services.time_export.view import time_view


def _finalized_batch(batch_id: int):
    batch = batch_service.batch_for(current_user, batch_id)
    if batch is None or not batch.is_finalized:
        abort(404)
    return batch


def _panel(batch, message: str = "", level: str = "info"):
    view = time_view(batch, current_realm(connected=False))
    template = "billing/_time_panel.html" if is_fragment_request() else "billing/batch_time.html"
    return vary(make_response(render_template(template, batch=batch, view=view, message=message, level=level,
                                              can_export=current_user.role in MANAGERS)))


@bp.route("/batches/<int:batch_id>/time")
@roles(EVERYONE_LOGGED_IN)
def batch_time(batch_id: int):
    return _panel(_finalized_batch(batch_id))


@bp.route("/batches/<int:batch_id>/time/export", methods=["POST"])
@roles(MANAGERS)
def export_time(batch_id: int):
    """Export the ticked visits (or the one Retry names); a double click queues nothing twice."""
    batch = _finalized_batch(batch_id)
    chosen = converters.ids(request.form.getlist("visit") + request.form.getlist("retry"))
    if not chosen:
        message, level = "Tick the visits to export first.", "warning"
    else:
        try:
            job = time_export.start_time_export(current_user, batch, chosen)
            message = (f"Exporting {job.queued} visit{'s' if job.queued != 1 else ''} as time to QuickBooks."
                       if job.queued else job.message)
            level = "success" if job.queued else "info"
        except ExportRefused as error:
            message, level = str(error), "danger"
    if is_fragment_request():
        return _panel(batch, message, level)
    flash(message, level)
    return redirect(url_for("billing.batch_time", batch_id=batch.id))
