from flask import render_template

from access import EVERYONE_LOGGED_IN, roles
from blueprints.accounting import bp


@bp.route("/quickbooks")
@roles(EVERYONE_LOGGED_IN)
def integration():
    return render_template("accounting/integration.html")
