from flask import Blueprint, g

bp = Blueprint("accounting", __name__, url_prefix="/accounting")


@bp.app_context_processor
def qbo_templates_helpers():
    """`qbo_connection()` for the tab shell's reconnect banner: lazy (only pages that show the
    banner query the database) and computed once per request."""
    def qbo_connection():
        if "qbo_connection_view" not in g:
            from services.qbo_connection import connection_status

            g.qbo_connection_view = connection_status()
        return g.qbo_connection_view

    return {"qbo_connection": qbo_connection}


from blueprints.accounting import routes  # noqa: E402,F401
from blueprints.accounting import sync_settings  # noqa: E402,F401  (issue #5: Sync Settings tab)
from blueprints.accounting import client_matching  # noqa: E402,F401  (issue #6: Client Matching tab)
