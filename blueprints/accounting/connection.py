"""Accounting > QuickBooks Integration: the tab shell, the Installation tab and the OAuth flow.

Thin views: every decision lives in services/qbo_connection/. Everyone signed in may look;
only Owners and Admins (MANAGERS) may connect, reconnect, switch company or disconnect.
"""
from __future__ import annotations

import os

from flask import (current_app, flash, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_login import current_user

from access import EVERYONE_LOGGED_IN, MANAGERS, roles
from blueprints.accounting.blueprint import bp
from htmx import render_page
from qbo.errors import QboError
from qbo.settings import ConfigurationError
from services import qbo_connection as connection
from services.qbo_connection.messages import plain_error

WALKTHROUGH = [  # (file under static/img/walkthrough/, caption) — written by the e2e test
    ("01-installation.png", "On this tab, an Owner or Admin clicks “Connect to QuickBooks”."),
    ("02-sign-in.png", "A pop-up opens at QuickBooks: sign in with your QuickBooks user."),
    ("03-authorize.png", "Check the company and click “Authorize”."),
    ("04-connected.png", "The pop-up confirms the connection and closes itself."),
    ("05-sync-settings.png", "CareLedger says “Connected to …” and moves on to Sync Settings."),
    ("06-status.png", "The Installation tab now shows the connection at a glance."),
]


def _can_manage() -> bool:
    return current_user.is_authenticated and current_user.role in MANAGERS


def _local_login():
    """With the built-in sandbox, who to sign in as in the pop-up (demo credentials, not secrets)."""
    if "qbo_sandbox_app" not in current_app.extensions:
        return None
    from demo_data.logins import LOCAL_QBO_LOGIN

    return LOCAL_QBO_LOGIN


def _walkthrough():
    folder = os.path.join(current_app.static_folder, "img", "walkthrough")
    return [(f"img/walkthrough/{name}", caption) for name, caption in WALKTHROUGH
            if os.path.exists(os.path.join(folder, name))]


# --- tabs --------------------------------------------------------------------------------------

@bp.route("/quickbooks")
@roles(EVERYONE_LOGGED_IN)
def integration():
    """The Installation tab."""
    view = connection.connection_status()
    return render_page("accounting/installation.html", block="status_panel", status=view,
                       qbo_connection=view, can_manage=_can_manage(),
                       walkthrough=_walkthrough(), local_login=_local_login())


@bp.route("/quickbooks/status")
@roles(EVERYONE_LOGGED_IN)
def status():
    """JSON for the connect page's polling fallback (never includes tokens)."""
    response = jsonify(connection.connection_status().as_public_dict())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/quickbooks/check", methods=["POST"])
@roles(MANAGERS)
def check():
    """Make one real call to QuickBooks so the status shows fresh facts, and say OK or not
    (a toast: htmx.py delivers the flash with the fragment)."""
    view, problem = connection.check_connection_answer()
    if problem:
        flash(f"Not OK: QuickBooks did not answer ({problem}).", "danger")
    else:
        flash(f"Connection OK: QuickBooks answered for {view.company_name or 'your company'}.", "success")
    return render_page("accounting/installation.html", block="status_panel", status=view,
                       qbo_connection=view, can_manage=True, walkthrough=_walkthrough(),
                       local_login=_local_login())


# --- connecting ----------------------------------------------------------------------------------

@bp.route("/quickbooks/connect", methods=["POST"])
@roles(MANAGERS)
def connect():
    mode = "popup" if request.form.get("mode") == "popup" else "page"
    try:
        url = connection.begin_connect(current_user, session, mode)
    except ConfigurationError as exc:
        return _finish(connection.CallbackResult(
            "failed", f"QuickBooks is not configured on this server ({exc}). See the README "
                      "section “Connecting QuickBooks Online”.", mode))
    except QboError as exc:
        return _finish(connection.CallbackResult(
            "failed", f"Could not start the QuickBooks sign-in: {plain_error(exc)}", mode))
    return redirect(url, code=303)


@bp.route("/quickbooks/callback")
@roles(MANAGERS)
def callback():
    result = connection.handle_callback(request.args, session, current_user)
    if result.outcome == "confirm_switch":
        return redirect(url_for("accounting.switch_company", state_id=result.state_id))
    return _finish(result)


@bp.route("/quickbooks/switch/<int:state_id>", methods=["GET", "POST"])
@roles(MANAGERS)
def switch_company(state_id: int):
    if request.method == "POST":
        if request.form.get("decision") == "switch":
            result = connection.confirm_switch(state_id, current_user, session)
        else:
            result = connection.cancel_switch(state_id, current_user, session)
        return _finish(result)
    pending = connection.pending_switch(state_id, current_user, session)
    if pending is None:
        return _finish(connection.CallbackResult(
            "refused", "That company switch has expired or was already decided. Nothing was changed."))
    return render_template("accounting/switch_company.html", pending=pending,
                           popup=pending.mode == "popup", qbo_connection=connection.connection_status())


def _finish(result: connection.CallbackResult):
    """Popup attempts get a small page that tells the opener and closes itself; full-page
    attempts get a flash and a redirect (Sync Settings on success)."""
    if result.mode == "popup" or result.outcome == "refused":
        # A refused state has no trustworthy mode; the page works both in and out of a pop-up.
        status_code = 200 if result.outcome in ("connected", "denied") else 400
        return render_template(
            "accounting/connect_result.html", result=result,
            next_url=url_for("accounting.sync_settings") if result.ok else url_for("accounting.integration"),
        ), status_code
    flash(result.message, "success" if result.ok else ("info" if result.outcome == "denied" else "danger"))
    return redirect(url_for("accounting.sync_settings" if result.ok else "accounting.integration"))


@bp.route("/quickbooks/disconnect", methods=["POST"])
@roles(MANAGERS)
def disconnect():
    result = connection.disconnect()
    flash(result.message, "success" if result.revoked else "warning")
    return redirect(url_for("accounting.integration"))

