"""Throttle on failed logins, kept in the database so every worker process sees the same count.

Too many failures for one e-mail, or from one address, within the window locks further attempts
until the oldest failure ages out. The attempt is reserved (a committed row, counted as a failure
until it succeeds) BEFORE the password is checked, and only then counted: of N tries racing each
other, the k-th to commit sees at least k rows, so no more than the limit ever reach a password
check, on SQLite and PostgreSQL alike. A refused try deletes its row, so hammering a locked
account does not extend the lock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from extensions import db
from models import LoginAttempt
from models._types import utcnow

ADDRESS_LIMIT_FACTOR = 4  # an office often shares one address among many people


@dataclass(frozen=True)
class Reservation:
    attempt_id: int | None
    wait_seconds: int = 0  # > 0: refused, try again after this many seconds


def reserve(email: str, ip_address: str, max_failures: int, window_seconds: int,
            retention_seconds: int, now: datetime | None = None) -> Reservation:
    """Claim one try for this e-mail and address, or say how long to wait."""
    now = now or utcnow()
    prune_attempts(retention_seconds, now=now)
    attempt = LoginAttempt(email=email.lower(), ip_address=ip_address, succeeded=False, at=now)
    db.session.add(attempt)
    db.session.commit()  # visible to every other worker before anyone counts
    wait = seconds_until_allowed(email, ip_address, max_failures, window_seconds, now, reserved=1)
    if not wait:
        return Reservation(attempt.id)
    db.session.execute(db.delete(LoginAttempt).where(LoginAttempt.id == attempt.id))
    db.session.commit()
    return Reservation(None, wait)


def succeeded(reservation: Reservation) -> None:
    """The reserved try signed in: it no longer counts as a failure."""
    db.session.execute(db.update(LoginAttempt).where(LoginAttempt.id == reservation.attempt_id)
                       .values(succeeded=True))
    db.session.commit()


def seconds_until_allowed(email: str, ip_address: str, max_failures: int, window_seconds: int,
                          now: datetime | None = None, reserved: int = 0) -> int:
    """0 when a login may be tried now, else how many seconds the caller must wait. `reserved`:
    how many of the counted failures are the caller's own reservation."""
    now = now or utcnow()
    checks = ((LoginAttempt.email, email.lower(), max_failures),
              (LoginAttempt.ip_address, ip_address, max_failures * ADDRESS_LIMIT_FACTOR))
    waits = [_wait_for(column, value, limit + reserved, window_seconds, now)
             for column, value, limit in checks]
    return max(waits)


def _wait_for(column, value: str, threshold: int, window_seconds: int, now: datetime) -> int:
    """Refused while `threshold` or more failures of this value lie in the window; the wait ends
    when the oldest of the `threshold` most recent ages out."""
    since = now - timedelta(seconds=window_seconds)
    recent_failures = db.session.scalars(
        select(LoginAttempt.at)
        .where(column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)
        .order_by(LoginAttempt.at.desc())
        .limit(threshold)
    ).all()
    if len(recent_failures) < threshold:
        return 0
    unlock_at = recent_failures[-1] + timedelta(seconds=window_seconds)
    return max(1, int((unlock_at - now).total_seconds()) + 1)


def prune_attempts(older_than_seconds: int, now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - timedelta(seconds=older_than_seconds)
    result = db.session.execute(db.delete(LoginAttempt).where(LoginAttempt.at < cutoff))
    db.session.commit()
    return result.rowcount or 0
