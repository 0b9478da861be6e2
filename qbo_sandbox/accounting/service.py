"""Request-independent API operations: query, batch items, CDC, singletons (no Flask here)."""
from __future__ import annotations

from datetime import timedelta

from qbo_sandbox import clock
from qbo_sandbox.accounting import company as companies, faults, ops, querysql
from qbo_sandbox.accounting.context import Ctx
from qbo_sandbox.accounting.query import parse
from qbo_sandbox.accounting.schema import BY_PATH, SINGLETONS, SPECS

BATCH_MAX_ITEMS = 30
CDC_MAX_OBJECTS = 1000
CDC_LOOKBACK = timedelta(days=30)  # documented only; not enforced (see cdc())


def run_query(ctx: Ctx, text: str) -> dict:
    query = parse(text)
    if query.entity in SINGLETONS:
        doc = ctx.company["preferences" if query.entity == "Preferences" else "company_info"]
        if query.count:
            return {"totalCount": 1}
        return {query.entity: [doc], "startPosition": 1, "maxResults": 1}
    if query.entity not in SPECS:
        raise faults.invalid_query(f"QueryValidationError: invalid context declaration: {query.entity}")
    return querysql.run(ctx.tx, ctx.realm_id, query, ctx.tz)


def write(ctx: Ctx, segment: str, operation: str, body, sparse_hint=None) -> tuple[str, dict]:
    """create/update/delete/void of an entity by URL segment; returns (JSON name, document)."""
    spec = BY_PATH[segment]
    if not spec.writable:
        raise faults.fault(500, "Unsupported Operation",
                           f"Operation {operation} is not supported for {spec.name}.")  # UNCONFIRMED
    if operation == "create":
        return spec.name, ops.create(ctx, spec, body)
    if operation == "update":
        return spec.name, ops.update(ctx, spec, body)
    if operation == "delete":
        return spec.name, ops.delete(ctx, spec, body)
    if operation == "void":
        return spec.name, ops.void(ctx, spec, body)
    raise faults.fault(500, "Unsupported Operation", f"Operation {operation} is not supported.")


def batch_item(ctx: Ctx, item) -> dict:
    if not isinstance(item, dict):
        raise faults.required_missing("BatchItemRequest")
    if "Query" in item:
        return {"QueryResponse": run_query(ctx, item["Query"])}
    entities = [k for k in item if k not in ("bId", "operation", "optionsData")]
    if len(entities) != 1 or entities[0] not in SPECS:
        name = entities[0] if entities else "?"
        raise faults.fault(500, "Unsupported Operation",
                           f"Operation {item.get('operation', '')} on {name} is not supported by the sandbox.")
    operation = (item.get("operation") or "").lower()
    if operation not in ("create", "update", "delete", "void"):
        raise faults.fault(500, "Unsupported Operation", f"Operation {operation} is not supported.")
    spec = SPECS[entities[0]]
    body = item[entities[0]]
    if operation == "update" and spec.voidable and "void" in (item.get("optionsData") or ""):
        operation = "void"
    name, doc = write(ctx, spec.path, operation, body)
    return {name: doc}


def check_batch(body) -> list:
    items = body.get("BatchItemRequest") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        raise faults.required_missing("BatchItemRequest")
    if len(items) > BATCH_MAX_ITEMS:
        # The limit is documented (30); the exact fault is UNCONFIRMED.
        raise faults.fault(2050, "Length exceeds limit",
                           f"The maximum number of payloads in a single BatchItemRequest is "
                           f"{BATCH_MAX_ITEMS}; this request has {len(items)}.", "BatchItemRequest")
    bids = [str(i.get("bId", "")) if isinstance(i, dict) else "" for i in items]
    if any(not b for b in bids):
        raise faults.required_missing("bId")
    if len(set(bids)) != len(bids):
        raise faults.business_validation("Batch item ids (bId) must be unique.")  # UNCONFIRMED
    return items


def cdc(ctx: Ctx, entities_arg: str | None, since_arg: str | None) -> dict:
    if not entities_arg:
        raise faults.required_missing("entities")
    if not since_arg:
        raise faults.required_missing("changedSince")
    try:
        since = clock.parse_timestamp(since_arg, ctx.tz)
    except ValueError:
        raise faults.invalid_query(f"QueryValidationError: invalid changedSince value {since_arg}")
    # Intuit documents a 30-day look-back, but real QBO answered changedSince=2011-10-10 with
    # HTTP 200 and objects changed in 2015 (qbo_api spec/vcr/cdc/basic.yml), so an older
    # changedSince is not a fault: every change since then is returned (CDC_MAX_OBJECTS caps it).
    names = []
    for raw in entities_arg.split(","):
        raw = raw.strip()
        spec = SPECS.get(raw) or BY_PATH.get(raw.lower())
        if spec is None:
            raise faults.invalid_query(f"QueryValidationError: invalid context declaration: {raw}")
        names.append(spec.name)
    since_key = clock.utc_key(since)
    responses, remaining = [], CDC_MAX_OBJECTS
    for name in names:
        docs = ctx.tx.changed_since(ctx.realm_id, name, since_key, remaining) if remaining else []
        remaining -= len(docs)
        responses.append({name: docs, "startPosition": 1, "maxResults": len(docs)} if docs else {})
    return {"CDCResponse": [{"QueryResponse": responses}]}


def preferences(ctx: Ctx) -> dict:
    return ctx.company["preferences"]


def update_preferences(ctx: Ctx, body) -> dict:
    return companies.update_preferences(ctx.tx, ctx, body)
