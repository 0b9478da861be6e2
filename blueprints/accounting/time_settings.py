"""Sync Settings › Time: save the time settings per service type (services/time_export/settings.py).
Owners and Admins only; an error re-shows the Sync Settings page with the rows as typed."""
from __future__ import annotations

from types import SimpleNamespace

from flask import flash, redirect, request, url_for

import converters
from access import MANAGERS, roles
from blueprints.accounting.blueprint import bp
from blueprints.accounting.sync_settings import TEMPLATE, _context, _realm_id, _saved_input
from htmx import render_page
from services.sync_settings import catalog as qbo_catalog
from services.time_export.settings import TimeChoice, save_time_settings, time_rows


def _choices() -> list[TimeChoice]:
    form = request.form
    return [TimeChoice(sid, form.get(f"time_item_{sid}", "").strip(), form.get(f"time_billable_{sid}") == "on",
                       form.get(f"time_mark_billed_{sid}") == "on", form.get(f"time_cost_rate_{sid}", ""))
            for sid in converters.ids(form.getlist("time_service"))]


@bp.route("/quickbooks/sync-settings/time", methods=["POST"])
@roles(MANAGERS)
def time_settings_save():
    realm_id = _realm_id()
    if not realm_id:
        flash("Connect QuickBooks before saving time settings.", "warning")
        return redirect(url_for("accounting.sync_settings"))
    catalog = qbo_catalog.cached_catalog(realm_id)
    choices = _choices()
    errors = save_time_settings(realm_id, choices, catalog)
    if not errors:
        flash("Time settings saved.", "success")
        return redirect(url_for("accounting.sync_settings") + "#time-settings")
    typed = {c.service_type_id: c for c in choices}
    rows = [SimpleNamespace(**{**vars(row), "item_id": typed[row.service_type.id].item_id,
                               "billable": typed[row.service_type.id].billable,
                               "mark_billed": typed[row.service_type.id].mark_billed,
                               "cost_rate": typed[row.service_type.id].cost_rate})
            if row.service_type.id in typed else row for row in time_rows(realm_id)]
    context = _context(realm_id, catalog, _saved_input(realm_id))
    context.update(time_rows=rows, time_errors=errors,
                   time_message="The time settings were not saved: correct the highlighted rows.")
    return render_page(TEMPLATE, **context)

