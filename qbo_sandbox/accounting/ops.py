"""Entity operations shared by every type: create, read, sparse/full update, delete, void.

Each type's rules (qbo_sandbox/rules/) validate and compute; this module handles what QBO does the
same way everywhere: unknown properties (2010), read-only properties (ignored), empty values
("" and null are absent), Ids (2030), SyncToken (5010), MetaData and the no-op sparse update that
leaves SyncToken alone. Rules raise before anything is written, so a failed item writes nothing.
"""
from __future__ import annotations

import copy

from qbo_sandbox.accounting import faults
from qbo_sandbox.accounting.context import Ctx
from qbo_sandbox.accounting.rules import RULES
from qbo_sandbox.accounting.schema import SPECS, EntitySpec
from qbo_sandbox.store import MAX_ID

_IDENTITY = ("Id", "SyncToken", "MetaData", "domain", "sparse")


def clean(value):
    """Drop null and empty-string properties (clients such as python-quickbooks send many)."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None and v != ""}
    if isinstance(value, list):
        return [clean(v) for v in value if v is not None]
    return value


def parse_id(value, element="Id") -> int:
    if value is None or value == "":
        raise faults.required_missing(element)
    text = str(value).strip()
    if not text.isdigit() or int(text) > MAX_ID:  # QBO Ids are 64-bit numbers
        raise faults.invalid_id(value)
    return int(text)


def _check_properties(spec: EntitySpec, body: dict) -> None:
    known = spec.known
    for key in body:
        if key not in known:
            raise faults.unknown_property(key, spec.name, sorted(known))


def _incoming(spec: EntitySpec, body) -> dict:
    if not isinstance(body, dict):
        raise faults.fault(2010, "Request has invalid or unsupported property",
                           "Property Name:Can not deserialize the request body specified is "
                           "unsupported or invalid")
    _check_properties(spec, body)
    doc = clean(body)
    for key in spec.read_only:
        doc.pop(key, None)
    return doc


def _stamp(ctx: Ctx, doc: dict, entity_id: int, sync_token: int, created: str | None) -> None:
    now = ctx.meta_now()
    doc["domain"] = "QBO"
    doc["sparse"] = False
    doc["Id"] = str(entity_id)
    doc["SyncToken"] = str(sync_token)
    doc["MetaData"] = {"CreateTime": created or now, "LastUpdatedTime": now}


def _same(a: dict, b: dict) -> bool:
    strip = lambda d: {k: v for k, v in d.items() if k not in _IDENTITY}
    return strip(a) == strip(b)


def save(ctx: Ctx, spec: EntitySpec, doc: dict) -> None:
    ctx.tx.put(ctx.realm_id, spec.name, doc, spec.name_field)


def _flush_touched(ctx: Ctx, skip: tuple | None = None) -> None:
    for (etype, entity_id), doc in list(ctx.touched.items()):
        if (etype, entity_id) != skip:
            save(ctx, SPECS[etype], doc)
            ctx.changed(etype, entity_id, "updated")  # e.g. an invoice's Balance after a payment
    ctx.touched.clear()


def create(ctx: Ctx, spec: EntitySpec, body) -> dict:
    doc = _incoming(spec, body)
    doc.pop("Id", None)
    rules = RULES[spec.name]
    doc = rules.prepare(ctx, doc, None)
    entity_id = ctx.tx.next_value(ctx.realm_id, spec.name, start=1)
    _stamp(ctx, doc, entity_id, 0, None)
    rules.after_save(ctx, doc, None)
    save(ctx, spec, doc)
    ctx.changed(spec.name, entity_id, "created")
    _flush_touched(ctx, (spec.name, entity_id))
    return doc


def _load_for_change(ctx: Ctx, spec: EntitySpec, body) -> tuple[int, dict]:
    if not isinstance(body, dict):
        raise faults.required_missing("Id")
    entity_id = parse_id(body.get("Id"))
    existing = ctx.tx.get(ctx.realm_id, spec.name, entity_id)
    if existing is None:
        raise faults.object_not_found("")
    token = body.get("SyncToken")
    if token is None or token == "":
        raise faults.required_missing("SyncToken")
    if str(token).strip() != existing["SyncToken"]:
        raise faults.stale_object()
    return entity_id, existing


def update(ctx: Ctx, spec: EntitySpec, body, sparse: bool | None = None) -> dict:
    entity_id, existing = _load_for_change(ctx, spec, body)
    incoming = _incoming(spec, body)
    if sparse is None:
        sparse = str(body.get("sparse", "false")).lower() == "true"
    if sparse:
        doc = copy.deepcopy(existing)
        doc.update(incoming)
    else:
        doc = incoming
    for key in _IDENTITY:
        doc.pop(key, None)
    rules = RULES[spec.name]
    doc = rules.prepare(ctx, doc, existing)
    if _same(doc, existing):
        return existing  # nothing changed: SyncToken and LastUpdatedTime stay (real behaviour)
    _stamp(ctx, doc, entity_id, int(existing["SyncToken"]) + 1, existing["MetaData"]["CreateTime"])
    rules.after_save(ctx, doc, existing)
    save(ctx, spec, doc)
    ctx.changed(spec.name, entity_id, "updated")
    _flush_touched(ctx, (spec.name, entity_id))
    return doc


def read(ctx: Ctx, spec: EntitySpec, raw_id: str) -> dict:
    entity_id = parse_id(raw_id)
    doc = ctx.tx.get(ctx.realm_id, spec.name, entity_id)
    if doc is None:
        raise faults.object_not_found("")
    return doc


def delete(ctx: Ctx, spec: EntitySpec, body) -> dict:
    if not spec.deletable:
        raise faults.fault(500, "Unsupported Operation",
                           f"Operation Delete is not supported for {spec.name}.")  # UNCONFIRMED
    entity_id, existing = _load_for_change(ctx, spec, body)
    RULES[spec.name].before_delete(ctx, existing)
    tombstone = {"domain": "QBO", "status": "Deleted", "Id": str(entity_id),
                 "MetaData": {"LastUpdatedTime": ctx.meta_now()}}
    save(ctx, spec, dict(tombstone))
    ctx.changed(spec.name, entity_id, "deleted")
    _flush_touched(ctx, (spec.name, entity_id))
    return {"domain": "QBO", "status": "Deleted", "Id": str(entity_id)}


def void(ctx: Ctx, spec: EntitySpec, body) -> dict:
    if not spec.voidable:
        raise faults.fault(500, "Unsupported Operation",
                           f"Operation Void is not supported for {spec.name}.")  # UNCONFIRMED
    entity_id, existing = _load_for_change(ctx, spec, body)
    doc = copy.deepcopy(existing)
    RULES[spec.name].void(ctx, doc)
    _stamp(ctx, doc, entity_id, int(existing["SyncToken"]) + 1, existing["MetaData"]["CreateTime"])
    save(ctx, spec, doc)
    ctx.changed(spec.name, entity_id, "void")
    _flush_touched(ctx, (spec.name, entity_id))
    return doc
