"""Throttle on failed logins, kept in the database so every worker process sees the same count.

Too many failures for one e-mail, or from one address, within the window locks further attempts
until the oldest failure ages out. A success clears nothing: old failures simply expire, and
each recorded attempt deletes the ones older than the window (they count for nothing), so the
table stays small.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from extensions import db
from models import LoginAttempt
from models._types import utcnow


def seconds_until_allowed(email: str, ip_address: str, max_failures: int, window_seconds: int,
                          now: datetime | None = None) -> int:
    """0 when a login may be tried now, else how many seconds the caller must wait."""
    now = now or utcnow()
    # The per-address limit is looser: an office often shares one address among many people.
    checks = ((LoginAttempt.email, email.lower(), max_failures),
              (LoginAttempt.ip_address, ip_address, max_failures * 4))
    waits = [_wait_for(column, value, limit, window_seconds, now) for column, value, limit in checks]
    return max(waits)


def _wait_for(column, value: str, limit: int, window_seconds: int, now: datetime) -> int:
    since = now - timedelta(seconds=window_seconds)
    recent_failures = db.session.scalars(
        select(LoginAttempt.at)
        .where(column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)
        .order_by(LoginAttempt.at.desc())
        .limit(limit)
    ).all()
    if len(recent_failures) < limit:
        return 0
    unlock_at = recent_failures[-1] + timedelta(seconds=window_seconds)
    return max(1, int((unlock_at - now).total_seconds()) + 1)


def record_attempt(email: str, ip_address: str, succeeded: bool, window_seconds: int) -> None:
    """Record one sign-in attempt and forget those older than the window, in one commit."""
    cutoff = utcnow() - timedelta(seconds=window_seconds)
    db.session.execute(db.delete(LoginAttempt).where(LoginAttempt.at < cutoff))
    db.session.add(LoginAttempt(email=email.lower(), ip_address=ip_address, succeeded=succeeded))
    db.session.commit()
