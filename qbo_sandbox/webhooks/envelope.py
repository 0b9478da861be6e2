"""The bodies Intuit's webhooks send and their signature (PROTOCOL.md §8, §11).

CloudEvents (Intuit's only format since mid-2026): a JSON array of
`{specversion, id, source, type: "qbo.<entity>.<op>.v1", datacontenttype, time, intuitentityid,
intuitaccountid, data}`; `data` is `{}` except `{"deletedId": …}` on merged (what other
operations carry is UNCONFIRMED, so they carry `{}`). Legacy (before 2026, a knob):
`{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [{name, id, operation,
lastUpdated[, deletedId]}]}}]}`, one notification per company.
Signature: `intuit-signature` = base64(HMAC-SHA256(key = verifier token, msg = raw body)).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

LEGACY_OPERATIONS = {"created": "Create", "updated": "Update", "deleted": "Delete",
                     "void": "Void", "merged": "Merge", "emailed": "Emailed"}


@dataclass(frozen=True)
class Event:
    """One entity change of one company, as the emitter queues it."""

    realm_id: str
    entity: str          # "Invoice"
    entity_id: str
    operation: str       # created updated deleted void merged
    at: datetime         # UTC
    data: dict = field(default_factory=dict)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))


def sign(body: bytes, verifier_token: str) -> str:
    digest = hmac.new(verifier_token.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def source_for(url: str) -> str:
    # Intuit's `source` is "intuit." + an opaque base64 value per app; the sandbox derives one
    # from the target URL so each registered endpoint sees a stable source.
    return "intuit." + base64.b64encode(hashlib.sha256(url.encode("utf-8")).digest()).decode("ascii")


def _cloudevent_time(moment: datetime) -> str:
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond:06d}000Z"  # nanoseconds, as Intuit


def cloudevents(events: list[Event], url: str) -> list[dict]:
    return [{"specversion": "1.0", "id": e.id, "source": source_for(url),
             "type": f"qbo.{e.entity.lower()}.{e.operation}.v1", "datacontenttype": "application/json",
             "time": _cloudevent_time(e.at), "intuitentityid": e.entity_id,
             "intuitaccountid": e.realm_id, "data": dict(e.data)} for e in events]


def legacy(events: list[Event]) -> dict:
    by_realm: dict[str, list[dict]] = {}
    for e in events:
        entity = {"name": e.entity, "id": e.entity_id, "operation": LEGACY_OPERATIONS[e.operation],
                  "lastUpdated": e.at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"}
        if "deletedId" in e.data:
            entity["deletedId"] = e.data["deletedId"]
        by_realm.setdefault(e.realm_id, []).append(entity)
    return {"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": entities}}
                                   for realm, entities in by_realm.items()]}


def body_for(events: list[Event], url: str, fmt: str) -> bytes:
    payload = legacy(events) if fmt == "legacy" else cloudevents(events, url)
    return json.dumps(payload, separators=(",", ":")).encode("utf-8")
