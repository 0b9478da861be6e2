from flask import Blueprint, render_template
from flask_login import current_user

from access import EVERYONE_LOGGED_IN, MANAGERS, public, roles
from services.agency.dashboard import dashboard_for

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@roles(EVERYONE_LOGGED_IN)
def index():
    return render_template("dashboard/index.html", board=dashboard_for(current_user),
                           can_manage=current_user.role in MANAGERS)


@bp.route("/healthz")
@public
def healthz():
    return {"status": "ok"}
