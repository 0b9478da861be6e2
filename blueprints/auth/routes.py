from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from access import EVERYONE_LOGGED_IN, public, roles
from blueprints.auth import bp
from blueprints.auth.forms import LoginForm
from extensions import db
from models import User
from services import login_throttle, sessions


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
        email = form.email.data.strip().lower()
        ip_address = request.remote_addr or "unknown"
        wait = login_throttle.seconds_until_allowed(
            email, ip_address,
            current_app.config["LOGIN_MAX_FAILURES"], current_app.config["LOGIN_FAILURE_WINDOW_SECONDS"],
        )
        if wait:
            minutes = max(1, round(wait / 60))
            flash(f"Too many failed sign-ins. Try again in about {minutes} minute(s).", "danger")
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if user and user.is_active and user.check_password(form.password.data):
            login_throttle.record_attempt(email, ip_address, succeeded=True)
            sessions.begin(user)
            return redirect(_safe_next(request.args.get("next")))
        login_throttle.record_attempt(email, ip_address, succeeded=False)
        flash("E-mail or password is not right.", "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@roles(EVERYONE_LOGGED_IN)
def logout():
    sessions.end(current_user._get_current_object())
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
