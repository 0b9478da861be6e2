"""Signing a sandbox user in: the throttled password check, the session that remembers them, and
the CSRF token of the sign-in forms. Shared by the OAuth sign-in page and the browser view.

The throttle reserves an attempt *before* the password is checked, under one lock: a burst of
parallel tries cannot all pass the "fewer than N failures?" test before any failure is counted. A
correct password gives its reservation back; a wrong one keeps it as a failure. Limits are per
e-mail address and, four times looser, per client address, over a sliding window (config
SIGNIN_MAX_FAILURES, default 5, and SIGNIN_WINDOW_SECONDS, default 900). The sandbox runs in one
process (its store already serialises requests with a lock), so memory is the right place.
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from flask import request, session

from qbo_sandbox.oauth import store

SESSION_USER = "qbo_oauth_user"
SESSION_AUTH_TIME = "qbo_oauth_auth_time"
SESSION_CSRF = "qbo_oauth_csrf"
IP_FACTOR = 4


class SignInThrottle:
    def __init__(self):
        self._lock = threading.Lock()
        self._attempts: dict[tuple, deque] = {}

    def reserve(self, limits: dict[tuple, int], window: float) -> list | None:
        """Count one attempt against every key, or None (refused) if any key is full."""
        now = time.monotonic()
        with self._lock:
            for key, limit in limits.items():
                attempts = self._attempts.setdefault(key, deque())
                while attempts and now - attempts[0][0] >= window:
                    attempts.popleft()
                if len(attempts) >= limit:
                    return None
            stamp = (now, object())  # unique, so release removes exactly this attempt
            for key in limits:
                self._attempts[key].append(stamp)
            return [(key, stamp) for key in limits]

    def release(self, reservation: list) -> None:
        with self._lock:
            for key, stamp in reservation:
                try:
                    self._attempts[key].remove(stamp)
                except (KeyError, ValueError):
                    pass


@dataclass(frozen=True)
class SignInResult:
    user: store.User | None
    throttled: bool = False


def attempt(app, email: str | None, password: str | None) -> SignInResult:
    """Check e-mail and password, throttled; on success the user is remembered in the session."""
    limit = int(app.config.get("SIGNIN_MAX_FAILURES", 5))
    window = float(app.config.get("SIGNIN_WINDOW_SECONDS", 900))
    address = (email or "").strip().lower()
    limits = {("email", address): limit, ("ip", request.remote_addr or ""): limit * IP_FACTOR}
    throttle: SignInThrottle = app.extensions["qbo_sandbox.signin_throttle"]
    reservation = throttle.reserve(limits, window)
    if reservation is None:
        return SignInResult(None, throttled=True)
    user = store.check_user_password(app, address, password)
    if user is None:
        return SignInResult(None)
    throttle.release(reservation)
    remember(user)
    return SignInResult(user)


def remember(user) -> None:
    session.clear()  # a new sign-in never inherits what the cookie held before
    session[SESSION_USER] = user.id
    session[SESSION_AUTH_TIME] = time.time()


def forget() -> None:
    session.pop(SESSION_USER, None)
    session.pop(SESSION_AUTH_TIME, None)


def current_user(app):
    return store.get_user(app, session.get(SESSION_USER), session.get(SESSION_AUTH_TIME, 0.0))


def csrf_token() -> str:
    if SESSION_CSRF not in session:
        session[SESSION_CSRF] = secrets.token_urlsafe(24)
    return session[SESSION_CSRF]


def csrf_ok() -> bool:
    sent = request.form.get("csrf_token", "")
    return bool(sent) and hmac.compare_digest(sent, session.get(SESSION_CSRF, ""))


THROTTLED_MESSAGE = "Too many sign-in attempts. Wait a few minutes, then try again."
WRONG_MESSAGE = "The email or password you entered is incorrect."
