"""One poll of QuickBooks' change feed for the connected company:

    lease → watermark taken (now) → GET /cdc?entities=Invoice,Payment,Customer&changedSince=…
          → pure parse → upsert by QuickBooks Id → watermark saved, lease released

- **One read.** The three entities come in one CDC call; only an answer holding CDC's maximum
  of 1,000 objects (possibly cut off) makes the poll go on, entity by entity from the newest time
  each returned, until an answer is short.
- **Watermark before the call**: a change QuickBooks makes while we poll is after the watermark,
  so the next poll sees it. The next `changedSince` starts QBO_POLL_OVERLAP_SECONDS earlier
  (clock skew between hosts); the overlap arrives twice and changes nothing (idempotent upserts).
- **At most 30 days back**: CDC's documented look-back. A company never polled, or not polled
  for longer, starts 30 days back; invoices exported before that are then read again directly
  (services/payments/catch_up.py), as the feed no longer holds what changed them.
- A failure is recorded in plain words and moves nothing: the next poll repeats the window.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import select, update

from extensions import db
from models._types import utcnow
from models.payments import QboWebhookEvent
from qbo.errors import QboError
from services.mapping.payment import CDC_MAX_OBJECTS, ChangeSet, parse_cdc
from services.payments import catch_up, lease
from services.payments.apply import Applied, apply_changes

log = logging.getLogger(__name__)

ENTITIES = ("Invoice", "Payment", "Customer")
LOOKBACK = timedelta(days=30)
LOOKBACK_MARGIN = timedelta(minutes=5)   # stay safely inside the 30 days
MAX_CATCH_UP_CALLS = 20                  # a cut-off answer is followed at most this many times


@dataclass
class PollResult:
    realm_id: str | None
    ran: bool = False
    reason: str = ""          # why it did not run, or what went wrong, in plain words
    reads: int = 0
    applied: Applied = field(default_factory=Applied)
    since: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.ran and not self.reason


def changed_since(watermark: datetime | None, now: datetime, overlap_seconds: float) -> datetime:
    earliest = now - LOOKBACK + LOOKBACK_MARGIN
    if watermark is None:
        return earliest
    return max(earliest, watermark - timedelta(seconds=overlap_seconds))


def _merge_hints(realm_id: str) -> dict[str, str]:
    """loser → survivor from webhook `merged` events (CDC alone shows only the tombstone)."""
    rows = db.session.execute(select(QboWebhookEvent.deleted_id, QboWebhookEvent.entity_id).where(
        QboWebhookEvent.realm_id == realm_id, QboWebhookEvent.deleted_id.is_not(None))).all()
    return {str(loser): str(survivor) for loser, survivor in rows}


def _fetch(client, since: datetime) -> tuple[ChangeSet, int, datetime | None]:
    """The changes since `since`: one call, and more only while answers come back full.
    Returns (changes, reads, resume_at): resume_at is where the next poll must start when this
    one could not catch up (None: everything up to now was seen)."""
    changes = parse_cdc(client.cdc(ENTITIES, since))
    reads, resume_at = 1, None
    if not changes.truncated:
        return changes, reads, None
    for entity in ENTITIES:  # cut off: go on per entity from the newest object it returned
        cursor = changes.latest(entity) or since
        for _ in range(MAX_CATCH_UP_CALLS):
            more = parse_cdc(client.cdc([entity], cursor))
            reads += 1
            changes.invoices += more.invoices
            changes.payments += more.payments
            changes.customers += more.customers
            if not more.truncated:
                break
            newest = more.latest(entity)
            if newest is None or newest <= cursor:
                # More than CDC's 1,000 objects in one second: the rest of that second cannot be
                # had from CDC; step past it rather than ask for it forever.
                log.warning("QuickBooks CDC: over %d %s changes at %s; some are skipped",
                            CDC_MAX_OBJECTS, entity, cursor)
                newest = cursor + timedelta(seconds=1)
            cursor = newest
        else:
            resume_at = cursor if resume_at is None else min(resume_at, cursor)
    return changes, reads, resume_at


def poll_realm(app: Flask | None = None, client=None, owner: str | None = None) -> PollResult:
    """Poll the connected company once, unless another process is polling it. In an app context."""
    from services.qbo_connection import connected_client, current_realm
    from services.qbo_connection.messages import plain_error

    app = app or current_app._get_current_object()
    realm_id = current_realm(app)
    result = PollResult(realm_id)
    if not realm_id:
        result.reason = "QuickBooks is not connected."
        return result
    owner = owner or lease.owner_name()
    if not lease.acquire(realm_id, owner, float(app.config["QBO_POLL_LEASE_SECONDS"])):
        result.reason = "Another check of QuickBooks is running; it will show its results."
        return result
    result.ran = True
    watermark = utcnow()  # taken before the call: what changes during it is seen next time
    state = lease.state_of(realm_id)
    result.since = changed_since(state.watermark if state else None, watermark,
                                 float(app.config["QBO_POLL_OVERLAP_SECONDS"]))
    try:
        client = client or connected_client(app, retries=False)  # one read; the next poll repeats
        changes, result.reads, resume_at = _fetch(client, result.since)
        overlap = float(app.config["QBO_POLL_OVERLAP_SECONDS"])
        if catch_up.missed_window(state.watermark if state else None, result.since, overlap):
            missed = catch_up.invoices_to_reread(realm_id, result.since)
            if missed:
                current, reads = catch_up.reread(client, missed)
                changes.invoices += current   # applied after the feed's: the newer word
                result.reads += reads
        if resume_at is not None:  # not caught up: the next poll goes on from there
            watermark = resume_at + timedelta(seconds=float(app.config["QBO_POLL_OVERLAP_SECONDS"]))
        result.applied = apply_changes(realm_id, changes, _merge_hints(realm_id))
        db.session.execute(update(QboWebhookEvent).where(
            QboWebhookEvent.realm_id == realm_id, QboWebhookEvent.processed_at.is_(None),
            QboWebhookEvent.received_at <= watermark).values(processed_at=utcnow()))
        db.session.commit()
    except QboError as error:
        db.session.rollback()
        result.reason = plain_error(error)
        log.warning("QuickBooks change check failed for %s: %s", realm_id, result.reason)
    except Exception:
        db.session.rollback()
        lease.finish(realm_id, owner, watermark=None, error="The check failed unexpectedly; it was logged.")
        raise
    lease.finish(realm_id, owner, watermark=watermark, error=result.reason,
                 changes=result.applied.total, reads=result.reads)
    return result
