"""Sign-in sessions: begin and end them, and end them on the server when they grow too old.

The session lives in Flask's signed cookie, so the server cannot delete it; what makes a cookie
worthless is the account's session generation (models.users.User.end_sessions), which the user
loader compares on every request. Signing out bumps it, which signs the account out on every
device — the expectation of someone who presses "Sign out" on a shared office computer.
Beyond that a session ends after SESSION_IDLE_TIMEOUT_SECONDS without a request and, however busy,
SESSION_LIFETIME_SECONDS after sign-in.
"""
from __future__ import annotations

from flask import current_app, g, session
from flask_login import login_user, logout_user

from extensions import db
from models._types import utcnow

SEEN_AT_RESOLUTION_SECONDS = 60  # rewrite the cookie at most once a minute for the idle clock


def _now() -> float:
    return utcnow().timestamp()


def _fresh_session() -> None:
    """Forget everything the browser held, including its CSRF secret (a new one is made on use)."""
    session.clear()
    g.pop("csrf_token", None)


def begin(user) -> None:
    _fresh_session()
    login_user(user)
    session.permanent = True  # the cookie expires with the lifetime, not "when the browser closes"
    session["signed_in_at"] = session["seen_at"] = _now()


def end(user) -> None:
    """Sign out: this cookie and every other copy or device of this account stop working."""
    if user is not None and getattr(user, "is_authenticated", False):
        user.end_sessions()
        db.session.commit()
    logout_user()
    _fresh_session()


def expired(now: float, signed_in_at, seen_at) -> bool:
    config = current_app.config
    if not isinstance(signed_in_at, (int, float)) or not isinstance(seen_at, (int, float)):
        return True  # a session from before these limits existed: sign in again
    return (now - signed_in_at > config["SESSION_LIFETIME_SECONDS"]
            or now - seen_at > config["SESSION_IDLE_TIMEOUT_SECONDS"])


def enforce_limits() -> None:
    """before_request hook (before the access gate): an expired session is signed out."""
    if "_user_id" not in session:
        return
    now = _now()
    if expired(now, session.get("signed_in_at"), session.get("seen_at")):
        logout_user()
        _fresh_session()
        return
    if now - session["seen_at"] >= SEEN_AT_RESOLUTION_SECONDS:
        session["seen_at"] = now
