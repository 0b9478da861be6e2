"""What the batch page would otherwise recompute on every view of a finalized batch, kept in this
process: the invoices' light rows, and the mapping check (each eligible invoice's QuickBooks
total, or why it cannot be mapped), computed once per batch and set of mapping inputs.

Checking means mapping every invoice with its lines: ~0.5 s for 1,000 invoices, too slow for a
page that is opened and polled often. A finalized batch never changes, so the answer depends only
on the mapping's inputs: the sync settings row, the QuickBooks refs (items, classes, locations,
term, the batch's customer links). Their digest is the version key: Sync Settings saved or a
client (re)matched gives a new key and the next view maps again; nothing has to remember to
invalidate. Entries are small (an amount or a message per invoice); the oldest are dropped.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import inspect as sa_inspect, select
from sqlalchemy.orm import joinedload, selectinload, undefer

from extensions import db
from models import Invoice, InvoiceLine
from services.mapping.invoice import MappingError, MappingRefs

MAX_BATCHES = 32  # entries kept per process (one per batch and version)

_lock = threading.Lock()
_cache: OrderedDict[tuple, dict[int, "Check"]] = OrderedDict()
_rows: OrderedDict[tuple, list] = OrderedDict()


@dataclass(frozen=True)
class Check:
    qbo_total: Decimal | None = None
    error: str | None = None


def batch_identity(batch) -> tuple:
    """A finalized batch, told apart from another database's batch with the same id (tests,
    restores) by the database URL and the batch's creation and finalize times."""
    return (str(db.engine.url), batch.id, batch.created_at, batch.finalized_at)


def invoice_rows(batch, load) -> list:
    """The finalized batch's invoice rows, `load()`ed once (they never change after finalizing)."""
    key = batch_identity(batch)
    with _lock:
        rows = _rows.get(key)
        if rows is not None:
            _rows.move_to_end(key)
            return rows
    rows = load()
    with _lock:
        _rows[key] = rows
        while len(_rows) > MAX_BATCHES:
            _rows.popitem(last=False)
    return rows


def version_key(batch, realm_id: str, settings, refs: MappingRefs) -> tuple:
    """Everything the mapping of a finalized batch depends on besides the batch itself."""
    mapper = sa_inspect(type(settings))
    settings_part = repr(sorted((c.key, repr(getattr(settings, c.key, None))) for c in mapper.column_attrs))
    digest = hashlib.sha256(f"{settings_part}|{refs!r}".encode()).hexdigest()
    return batch_identity(batch) + (realm_id, digest)


def checks_for(batch, realm_id: str, settings, refs: MappingRefs, invoice_ids: list[int]) -> dict[int, Check]:
    """The check of each of `invoice_ids` (eligible invoices of a finalized `batch`)."""
    key = version_key(batch, realm_id, settings, refs)
    with _lock:
        known = _cache.get(key)
        if known is not None:
            _cache.move_to_end(key)
    missing = [i for i in invoice_ids if known is None or i not in known]
    if not missing:
        return known
    fresh = _map(missing, realm_id, settings, refs)
    with _lock:
        entry = _cache.setdefault(key, {})
        entry.update(fresh)
        _cache.move_to_end(key)
        while len(_cache) > MAX_BATCHES:
            _cache.popitem(last=False)
        return dict(entry)


def _map(invoice_ids: list[int], realm_id: str, settings, refs: MappingRefs) -> dict[int, Check]:
    from services.export.prepare import map_one  # the exporter's own check, not a copy

    invoices = db.session.scalars(
        select(Invoice).where(Invoice.id.in_(invoice_ids))
        .options(joinedload(Invoice.batch), selectinload(Invoice.lines).joinedload(InvoiceLine.service_type),
                 undefer(Invoice.subtotal), undefer(Invoice.tax))).all()
    answer = {}
    for invoice in invoices:
        try:
            answer[invoice.id] = Check(qbo_total=map_one(invoice, realm_id, settings, refs).qbo_total)
        except MappingError as error:
            answer[invoice.id] = Check(error=str(error))
    for invoice in invoices:  # the ORM graph is not needed past this point
        db.session.expunge(invoice)
    return answer


def clear() -> None:
    with _lock:
        _cache.clear()
        _rows.clear()
