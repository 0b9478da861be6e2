"""One poller at a time per company, across every process: a lease on the company's row in
`qbo_poll_state`, taken by one conditional UPDATE (`… WHERE lease_owner IS NULL OR lease expired`),
so two processes racing for it cannot both win, on SQLite (writers serialised) as on PostgreSQL
(row lock). A process that dies holding it loses it when it expires.

Each function runs its own short transaction on its own connection (like the export pacer), so a
caller's pending session changes are never committed by accident.
"""
from __future__ import annotations

import os
import socket
import threading
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from extensions import db
from models._types import utcnow
from models.payments import QboPollState

_STATE = QboPollState.__table__


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:64]


def _ensure_row(connection, realm_id: str) -> None:
    dialect = connection.dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"unsupported database {dialect}")
    connection.execute(insert(_STATE).values(realm_id=realm_id, last_error="", last_changes=0,
                                             last_reads=0).on_conflict_do_nothing(index_elements=["realm_id"]))


def acquire(realm_id: str, owner: str, seconds: float, now: datetime | None = None) -> bool:
    """Take the company's poll lease for `seconds`; False when someone else holds it."""
    now = now or utcnow()
    with db.engine.begin() as connection:
        _ensure_row(connection, realm_id)
        result = connection.execute(
            update(_STATE).where(_STATE.c.realm_id == realm_id,
                                 or_(_STATE.c.lease_owner.is_(None), _STATE.c.lease_owner == owner,
                                     _STATE.c.lease_expires_at < now))
            .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=seconds),
                    last_started_at=now))
        return bool(result.rowcount)


def finish(realm_id: str, owner: str, *, watermark: datetime | None, error: str = "",
           changes: int = 0, reads: int = 0) -> bool:
    """Release the lease and record the outcome; the watermark moves only on success (a failed
    poll is repeated from the same point). False when the lease was lost meanwhile."""
    now = utcnow()
    values = dict(lease_owner=None, lease_expires_at=None, last_finished_at=now, last_error=error,
                  last_changes=changes, last_reads=reads)
    if not error:
        values.update(last_ok_at=now, watermark=watermark)
    with db.engine.begin() as connection:
        result = connection.execute(update(_STATE).where(
            _STATE.c.realm_id == realm_id, _STATE.c.lease_owner == owner).values(**values))
        return bool(result.rowcount)


def request_poll(realm_id: str, now: datetime | None = None) -> None:
    """Ask for a poll soon (the button, a webhook): any process's scheduler picks it up."""
    with db.engine.begin() as connection:
        _ensure_row(connection, realm_id)
        connection.execute(update(_STATE).where(_STATE.c.realm_id == realm_id)
                           .values(requested_at=now or utcnow()))


def is_due(realm_id: str, interval_seconds: float, now: datetime | None = None) -> bool:
    """A poll is due when none finished within the interval, or one was asked for since the
    last one started; and nobody holds the lease."""
    now = now or utcnow()
    with db.engine.connect() as connection:
        row = connection.execute(select(_STATE).where(_STATE.c.realm_id == realm_id)).first()
    if row is None:
        return True
    if row.lease_owner is not None and row.lease_expires_at is not None and row.lease_expires_at > now:
        return False
    if row.requested_at is not None and (row.last_started_at is None or row.requested_at >= row.last_started_at):
        return True
    return row.last_finished_at is None or row.last_finished_at <= now - timedelta(seconds=interval_seconds)


def state_of(realm_id: str | None) -> QboPollState | None:
    return db.session.get(QboPollState, realm_id, populate_existing=True) if realm_id else None


def running(realm_id: str, now: datetime | None = None) -> bool:
    now = now or utcnow()
    found = db.session.scalar(select(QboPollState.realm_id).where(
        QboPollState.realm_id == realm_id,
        and_(QboPollState.lease_owner.is_not(None), QboPollState.lease_expires_at > now)))
    return found is not None
