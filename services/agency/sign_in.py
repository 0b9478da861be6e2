"""Checking a sign-in: throttle first, then one password hash whatever the e-mail.

An unknown e-mail or a deactivated account does the same work as a wrong password (a hash of a
dummy), so the answer's timing does not tell which e-mails have accounts.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from models import User
from services.agency import login_throttle


@dataclass(frozen=True)
class SignInOutcome:
    user: User | None = None
    wait_seconds: int = 0  # > 0: throttled, nothing was checked


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_urlsafe(16))


def attempt(email: str, password: str, ip_address: str) -> SignInOutcome:
    config = current_app.config
    email = email.strip().lower()
    reservation = login_throttle.reserve(
        email, ip_address, config["LOGIN_MAX_FAILURES"], config["LOGIN_FAILURE_WINDOW_SECONDS"],
        config["LOGIN_ATTEMPT_RETENTION_SECONDS"])
    if reservation.wait_seconds:
        return SignInOutcome(wait_seconds=reservation.wait_seconds)
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    password_ok = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not user.is_active or not password_ok:
        return SignInOutcome()
    login_throttle.succeeded(reservation)
    return SignInOutcome(user=user)
