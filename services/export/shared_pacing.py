"""Pacing shared by every exporting process through the database, so that together they stay
inside Intuit's per-realm limits (PROTOCOL §7), not each on its own.

Several gunicorn workers, a `flask qbo export` run and another host on PostgreSQL may all send
to the same company. Each request start is decided in one short transaction that first locks the
realm's row in `export_realm_pacing` (an UPDATE: a row lock on PostgreSQL, the write lock on
SQLite), reads the recent starts of *all* processes from `export_request_starts`, and records its
own start only if every sliding window (10/s, 500/min, 40 batch/min) still has room. A 429's pause
is written to the realm row, so every process honours it.

Because the log is in the database, it also survives a process: a restarted or replacement
exporter sees what a killed one sent in the last minute and waits for it, instead of starting with
empty windows. Timestamps come from the app hosts' clocks (keep them NTP-synced, as the claim
leases already require); the window margin absorbs small skew.
"""
from __future__ import annotations

import random
import threading
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from extensions import db
from models._types import utcnow
from models.export import ExportRealmPacing, ExportRequestStart
from services.export.pacing import BATCH_RULES, GENERAL_RULES, wait_for

_PACING = ExportRealmPacing.__table__
_STARTS = ExportRequestStart.__table__


class SharedRealmPacer:
    """RealmPacer's contract (`acquire`, `pause`, `waited`, `throttled`) for one realm, with its
    state in the database. Thread-safe: each call is its own transaction on its own connection,
    never the caller's session (whose pending changes it must not commit)."""

    def __init__(self, realm_id: str, general=GENERAL_RULES, batch=BATCH_RULES, margin: float = 0.15,
                 clock=utcnow, sleep=time.sleep):
        self.realm_id = realm_id
        self._general = tuple(general)
        self._batch = tuple(batch)
        self._margin = margin
        self._clock = clock
        self._sleep = sleep
        # Starts older than this cannot matter to any rule; pruned as we go.
        self._horizon = max(r.window for r in self._general + self._batch) + margin + 1.0
        self._stats_lock = threading.Lock()
        self.waited = 0.0      # seconds this process's callers spent waiting (for the benchmark)
        self.throttled = 0     # 429s this process reported

    def acquire(self, is_batch: bool = False) -> None:
        """Block until a request to this realm may start, and record that it starts now."""
        while True:
            wait = self._try_start(is_batch)
            if wait <= 0:
                return
            with self._stats_lock:
                self.waited += wait
            # A little jitter so waiting threads of several processes do not all retry at once.
            self._sleep(wait + random.uniform(0.0, 0.02))

    def pause(self, seconds: float) -> None:
        """A 429 arrived: no process sends to this realm for `seconds`."""
        with self._stats_lock:
            self.throttled += 1
        now = self._clock()
        until = now + timedelta(seconds=max(seconds, 0.0))
        with db.engine.begin() as connection:
            current = self._lock_realm(connection, now)
            if current is None or current < until:
                connection.execute(update(_PACING).where(_PACING.c.realm_id == self.realm_id)
                                   .values(paused_until=until))

    # -- one decision -----------------------------------------------------------------------------
    def _try_start(self, is_batch: bool) -> float:
        """In one transaction: seconds to wait, or 0 after recording our start."""
        with db.engine.begin() as connection:
            paused_until = self._lock_realm(connection, self._clock())
            now = self._clock()  # waiting for the lock may take a while: decide at this moment
            rows = connection.execute(
                select(_STARTS.c.started_at, _STARTS.c.is_batch)
                .where(_STARTS.c.realm_id == self.realm_id,
                       _STARTS.c.started_at > now - timedelta(seconds=self._horizon))
                .order_by(_STARTS.c.started_at)).all()
            starts = [(_seconds(started_at, now), bool(was_batch)) for started_at, was_batch in rows]
            wait = wait_for(starts, 0.0, self._general, self._batch, is_batch, self._margin)
            if paused_until is not None:
                wait = max(wait, _seconds(paused_until, now))
            if wait > 0:
                return wait
            connection.execute(insert(_STARTS).values(realm_id=self.realm_id, started_at=now,
                                                      is_batch=is_batch))
            connection.execute(delete(_STARTS).where(
                _STARTS.c.realm_id == self.realm_id,
                _STARTS.c.started_at < now - timedelta(seconds=self._horizon)))
            return 0.0

    def _lock_realm(self, connection, now: datetime) -> datetime | None:
        """Lock the realm's row (creating it on first use); returns its paused_until.

        The UPDATE comes first on purpose: on SQLite it takes the database's write lock before
        we read the log (a read first would let two processes both see room and both start)."""
        statement = (update(_PACING).where(_PACING.c.realm_id == self.realm_id)
                     .values(updated_at=now).returning(_PACING.c.paused_until))
        row = connection.execute(statement).first()
        if row is None:
            connection.execute(_insert_ignore(connection, self.realm_id, now))
            row = connection.execute(statement).first()
        return _aware(row[0]) if row is not None else None


class SharedPacers:
    """One SharedRealmPacer per realm (the worker's `pacer_for`), created on first use."""

    def __init__(self, **options):
        self._options = options
        self._by_realm: dict[str, SharedRealmPacer] = {}
        self._lock = threading.Lock()

    def for_realm(self, realm_id: str) -> SharedRealmPacer:
        with self._lock:
            if realm_id not in self._by_realm:
                self._by_realm[realm_id] = SharedRealmPacer(realm_id, **self._options)
            return self._by_realm[realm_id]


def _insert_ignore(connection, realm_id: str, now: datetime):
    values = dict(realm_id=realm_id, paused_until=None, updated_at=now)
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(_PACING).values(**values).on_conflict_do_nothing(
            index_elements=["realm_id"])
    if dialect == "sqlite":
        return sqlite.insert(_PACING).values(**values).on_conflict_do_nothing(
            index_elements=["realm_id"])
    raise RuntimeError(f"unsupported database {dialect}")


def _aware(value: datetime | None) -> datetime | None:
    # Defensive: UTCDateTime already returns aware values; a naive one here would be UTC.
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def _seconds(moment: datetime, now: datetime) -> float:
    """`moment` relative to `now`, in seconds (negative = in the past)."""
    return (_aware(moment) - now).total_seconds()
