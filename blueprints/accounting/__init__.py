from flask import Blueprint

bp = Blueprint("accounting", __name__, url_prefix="/accounting")

from blueprints.accounting import routes  # noqa: E402,F401
