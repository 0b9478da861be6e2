"""Intuit's webhook deliveries: check the signature, record the events, hint the poller.

A delivery is a JSON array of CloudEvents (`application/json` or `application/cloudevents+json`),
possibly mixing companies, signed with `intuit-signature` = base64(HMAC-SHA256(verifier token, raw
body)) (PROTOCOL §8, §11). Intuit wants a 2xx within 3 seconds, resends on anything else, and
treats a 400 as "resend the whole batch"; so the endpoint only records (deduplicated on the
event `id`) and answers — the poll that follows is the source of truth, events are only hints.
The legacy `eventNotifications` body (before 2026) is understood too.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass

from sqlalchemy.dialects import postgresql, sqlite

from extensions import db
from models._types import utcnow
from models.payments import QboWebhookEvent


def signature_ok(body: bytes, header: str | None, verifier_token: str) -> bool:
    if not header or not verifier_token:
        return False
    expected = base64.b64encode(hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, header.strip().encode("ascii", "replace"))


@dataclass(frozen=True)
class HookEvent:
    event_id: str
    realm_id: str
    event_type: str
    entity_id: str
    deleted_id: str | None = None


def _cloud_event(item) -> HookEvent | None:
    if not isinstance(item, dict) or not item.get("id") or not item.get("intuitaccountid"):
        return None
    data = item.get("data") if isinstance(item.get("data"), dict) else {}
    deleted = data.get("deletedId")
    return HookEvent(str(item["id"])[:100], str(item["intuitaccountid"])[:32], str(item.get("type", ""))[:100],
                     str(item.get("intuitentityid", ""))[:32], str(deleted)[:32] if deleted else None)


def _legacy_events(body: dict) -> list[HookEvent]:
    """Before 2026: no event id, so one is made of what identifies the change."""
    found = []
    for note in body.get("eventNotifications") or []:
        realm = str((note or {}).get("realmId", ""))
        for entity in ((note or {}).get("dataChangeEvent") or {}).get("entities") or []:
            if not isinstance(entity, dict) or not realm:
                continue
            parts = [realm] + [str(entity.get(k, "")) for k in ("name", "id", "operation", "lastUpdated")]
            key = "legacy:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]
            found.append(HookEvent(key, realm[:32], f"qbo.{str(entity.get('name', '')).lower()}."
                                   f"{str(entity.get('operation', '')).lower()}.legacy",
                                   str(entity.get("id", ""))[:32],
                                   str(entity["deletedId"])[:32] if entity.get("deletedId") else None))
    return found


def parse_delivery(body: bytes) -> list[HookEvent]:
    """The events of a delivery; [] for a body that cannot be used (never an error)."""
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return []
    if isinstance(payload, dict) and "eventNotifications" in payload:
        return _legacy_events(payload)
    items = payload if isinstance(payload, list) else [payload]
    return [event for event in map(_cloud_event, items) if event is not None]


@dataclass(frozen=True)
class Recorded:
    new: int
    repeated: int
    ignored: int              # for a company CareLedger is not connected to
    realms: tuple[str, ...]   # companies with new events (to poll soon)


def record(events: list[HookEvent], known_realms: set[str]) -> Recorded:
    """Store the events of known companies once each (INSERT … ON CONFLICT DO NOTHING on the
    event id, so a resent delivery or two racing ones store nothing twice). Commits."""
    ours = [e for e in events if e.realm_id in known_realms]
    unique = list({e.event_id: e for e in ours}.values())
    inserted: set[str] = set()
    if unique:
        now = utcnow()
        rows = [dict(event_id=e.event_id, realm_id=e.realm_id, event_type=e.event_type,
                     entity_id=e.entity_id, deleted_id=e.deleted_id, received_at=now) for e in unique]
        dialect = db.session.get_bind().dialect.name
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
        table = QboWebhookEvent.__table__
        statement = insert(table).values(rows).on_conflict_do_nothing(
            index_elements=["event_id"]).returning(table.c.event_id)
        inserted = set(db.session.execute(statement).scalars())
        db.session.commit()
    realms = tuple(sorted({e.realm_id for e in unique if e.event_id in inserted}))
    return Recorded(new=len(inserted), repeated=len(ours) - len(inserted),
                    ignored=len(events) - len(ours), realms=realms)
