"""The read budget: CareLedger's own CorePlus calls per company per calendar month (UTC).

Intuit's App Partner Program (PROTOCOL §11) meters reads — queries, reads by id, CompanyInfo,
Preferences, CDC, reports — at 500,000 a month on the free tier; writes are free. Past the cap
every read answers 429 until the month turns. CareLedger counts what it sends so the
Installation tab can show how much is left and warn at 80 %.

Counting happens in one place: the QboClient calls its meter once per successful call (every
client comes from `connected_client()`, so exports, Sync Settings, Client Matching and the CDC
poller are all counted). Each count is one atomic upsert on its own short connection — never
the caller's session, whose pending work it must not commit — so every process adds to the same
row. A failed count is logged and dropped: the call itself already succeeded.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from extensions import db
from models.qbo_platform import QboReadUsage

log = logging.getLogger(__name__)
T = QboReadUsage.__table__
WARN_AT = 0.8


def month_key(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"{now.year:04d}-{now.month:02d}"


def _upsert(connection, realm_id: str, month: str, reads: int, writes: int, cap_reached):
    dialect = {"postgresql": postgresql, "sqlite": sqlite}.get(connection.dialect.name)
    if dialect is None:
        raise RuntimeError(f"unsupported database {connection.dialect.name}")
    statement = dialect.insert(T).values(realm_id=realm_id, month=month, reads=reads,
                                         writes=writes, cap_reached_at=cap_reached)
    changes = {"reads": T.c.reads + reads, "writes": T.c.writes + writes}
    if cap_reached is not None:
        changes["cap_reached_at"] = cap_reached
    elif reads:
        changes["cap_reached_at"] = None  # a read went through: the cap is lifted
    return statement.on_conflict_do_update(index_elements=["realm_id", "month"], set_=changes)


def add(realm_id: str, reads: int = 0, writes: int = 0, *, cap_reached: datetime | None = None,
        now: datetime | None = None) -> None:
    """Add to this month's counts in one atomic statement (all processes share the row)."""
    if not (reads or writes or cap_reached):
        return
    try:
        with db.engine.begin() as connection:
            connection.execute(_upsert(connection, str(realm_id), month_key(now), reads, writes,
                                       cap_reached))
    except SQLAlchemyError as error:
        log.warning("Could not count QuickBooks calls for the read budget: %s", type(error).__name__)


class RealmMeter:
    """The QboClient's Meter for one company (qbo.client.Meter)."""

    def __init__(self, app: Flask, realm_id: str):
        self.app = app
        self.realm_id = str(realm_id)

    def counted(self, reads: int, writes: int) -> None:
        with self.app.app_context():
            add(self.realm_id, reads, writes)

    def exhausted(self) -> None:
        with self.app.app_context():
            add(self.realm_id, cap_reached=datetime.now(timezone.utc))
        log.warning("QuickBooks says the monthly read allowance is used up (company %s)", self.realm_id)


@dataclass(frozen=True)
class ReadBudget:
    """What the Installation tab shows for one company this month."""

    realm_id: str
    month: str
    reads: int
    writes: int
    allowance: int
    cap_reached_at: datetime | None = None

    @property
    def share(self) -> float:
        return self.reads / self.allowance if self.allowance > 0 else 0.0

    @property
    def percent(self) -> int:
        return min(100, int(self.share * 100))

    @property
    def warning(self) -> bool:
        return self.share >= WARN_AT

    @property
    def exhausted(self) -> bool:
        return self.cap_reached_at is not None

    @property
    def remaining(self) -> int:
        return max(0, self.allowance - self.reads)


def allowance(app: Flask | None = None) -> int:
    app = app or current_app._get_current_object()
    return int(app.config.get("QBO_READ_ALLOWANCE") or 500_000)


def budget_for(realm_id: str, now: datetime | None = None) -> ReadBudget:
    month = month_key(now)
    row = db.session.execute(select(T).where(T.c.realm_id == str(realm_id), T.c.month == month)).first()
    return ReadBudget(realm_id=str(realm_id), month=month, reads=row.reads if row else 0,
                      writes=row.writes if row else 0, allowance=allowance(),
                      cap_reached_at=row.cap_reached_at if row else None)
