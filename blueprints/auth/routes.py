from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from access import EVERYONE_LOGGED_IN, public, roles
from blueprints.auth.forms import LoginForm
from services.agency import sessions, sign_in

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = sign_in.attempt(form.email.data, form.password.data, request.remote_addr or "unknown")
        if outcome.wait_seconds:
            minutes = max(1, round(outcome.wait_seconds / 60))
            flash(f"Too many failed sign-ins. Try again in about {minutes} minute(s).", "danger")
            return render_template("auth/login.html", form=form), 429
        if outcome.user is not None:
            sessions.begin(outcome.user)
            return redirect(_safe_next(request.args.get("next")))
        flash("E-mail or password is not right.", "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@roles(EVERYONE_LOGGED_IN)
def logout():
    sessions.end(current_user._get_current_object())
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
