"""Sync Settings › Tax code: the tax code exported lines carry in a QuickBooks company outside
the US (templates/accounting/_tax_code_setting.html), and re-reading the company's tax settings.
Owners and Admins only; the work is in services/qbo_tax/."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from access import MANAGERS, roles
from blueprints.accounting.blueprint import bp
from qbo.errors import QboError
from services.qbo_connection import connected_client, current_realm
from services.qbo_connection.messages import plain_error
from services.qbo_tax import setting_view


@bp.route("/quickbooks/sync-settings/tax-code", methods=["POST"])
@roles(MANAGERS)
def tax_code_save():
    realm_id = current_realm()
    if not realm_id:
        flash("Connect QuickBooks first.", "danger")
        return redirect(url_for("accounting.integration"))
    try:
        if request.form.get("action") == "reread":
            setting_view.reread(connected_client(), realm_id)
            flash("The company's sales-tax settings were read again from QuickBooks.", "success")
        else:
            code = setting_view.save(realm_id, request.form.get("tax_code_id", ""), current_user.id)
            flash(f"Exported lines now carry the tax code “{code}”.", "success")
    except setting_view.TaxCodeRefused as error:
        flash(str(error), "danger")
    except QboError as error:
        flash(f"Could not read the tax settings from QuickBooks: {plain_error(error)}", "danger")
    return redirect(url_for("accounting.sync_settings") + "#tax-code")


@bp.app_context_processor
def tax_code_context():
    return {"tax_code_setting": setting_view.setting_for}
