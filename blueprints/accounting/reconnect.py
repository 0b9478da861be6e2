"""The Reconnect page Intuit links to (the app's "Reconnect URL", mandatory since January 2026),
and the connection notices every page may show (hard-expiry banner, read budget).

GET /accounting/quickbooks/reconnect shows one button that starts Connect (a POST with its CSRF
token, as on the Installation tab): a plain GET never starts a sign-in by itself, so a link from
another site cannot begin one behind a person's back.
"""
from __future__ import annotations

from flask import g, render_template
from flask_login import current_user

from access import EVERYONE_LOGGED_IN, MANAGERS, roles
from blueprints.accounting.blueprint import bp
from services import qbo_connection as connection
from services.qbo_connection import notices


@bp.route("/quickbooks/reconnect")
@roles(EVERYONE_LOGGED_IN)
def reconnect():
    view = connection.connection_status()
    return render_template("accounting/reconnect.html", qbo_connection=view,
                           can_manage=current_user.role in MANAGERS)


def _hard_expiry_banner_once():
    """The hard-expiry notice for an Owner or Admin, at most once per page (the banner partial is
    included by the layout and by the integration tabs' connection banner)."""
    if g.get("_hard_expiry_banner_shown") or not current_user.is_authenticated \
            or current_user.role not in MANAGERS:
        return None
    g._hard_expiry_banner_shown = True
    return notices.hard_expiry_notice()


@bp.app_context_processor
def connection_notices():
    return {"hard_expiry_banner_once": _hard_expiry_banner_once,
            "qbo_read_budget": notices.read_budget}
