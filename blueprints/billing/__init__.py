from flask import Blueprint

bp = Blueprint("billing", __name__, url_prefix="/billing")

from blueprints.billing import routes  # noqa: E402,F401
from blueprints.billing import export_routes  # noqa: E402,F401  (Export to QuickBooks, issue #7)
