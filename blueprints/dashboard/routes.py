from flask import Blueprint, render_template
from flask_login import current_user

from access import EVERYONE_LOGGED_IN, public, roles
from services.agency.dashboard import summary_for

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@roles(EVERYONE_LOGGED_IN)
def index():
    return render_template("dashboard/index.html", summary=summary_for(current_user))


@bp.route("/healthz")
@public
def healthz():
    return {"status": "ok"}
