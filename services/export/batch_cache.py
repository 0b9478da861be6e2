"""What the batch page would otherwise recompute on every view of a finalized batch, kept in this
process: the invoices' light rows; the mapping check (each eligible invoice's QuickBooks total, or
why it cannot be mapped), computed once per batch and set of mapping inputs; and the page's rows
and counts, per mapping version and state of the batch's export records.

Checking means mapping every invoice with its lines: ~0.5 s for 1,000 invoices, too slow for a
page that is opened and polled often. A finalized batch never changes, so the answer depends only
on the mapping's inputs: the sync settings row, the QuickBooks refs (items, classes, locations,
term, the batch's customer links). They are the version key: Sync Settings saved or a
client (re)matched gives a new key and the next view maps again; nothing has to remember to
invalidate. Entries are small (an amount or a message per invoice); the oldest are dropped.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, fields as dataclass_fields
from decimal import Decimal

from sqlalchemy import inspect as sa_inspect, select
from sqlalchemy.orm import joinedload, selectinload, undefer

from extensions import db
from models import Invoice, InvoiceLine
from services.mapping.invoice import MappingError, MappingRefs, TaxSetupMissing

MAX_BATCHES = 32  # entries kept per process (one per batch and version)

_lock = threading.Lock()
_cache: OrderedDict[tuple, dict[int, "Check"]] = OrderedDict()
_rows: OrderedDict[tuple, list] = OrderedDict()
_views: OrderedDict[tuple, tuple] = OrderedDict()


@dataclass(frozen=True)
class Check:
    qbo_total: Decimal | None = None
    error: str | None = None
    needs_tax_code: bool = False  # the error is the company's tax setup (Sync Settings, issue 13)


IDENTITY_LENGTH = 4  # batch_identity's (database URL, batch id, created, finalized)


def batch_identity(batch) -> tuple:
    """A finalized batch, told apart from another database's batch with the same id (tests,
    restores) by the database URL and the batch's creation and finalize times."""
    return (str(db.engine.url), batch.id, batch.created_at, batch.finalized_at)


def invoice_rows(batch, load) -> list:
    """The finalized batch's invoice rows, `load()`ed once (they never change after finalizing)."""
    return _remember(_rows, batch_identity(batch), load)


def view_rows(key: tuple, build):
    """The batch page's rows and counts, `build()`ed once per mapping version and state of the
    batch's export records (the caller puts both in `key`, after the batch's identity). Only the
    latest version of a batch is kept: during an export the state changes every second, and old
    versions would only hold memory."""
    with _lock:
        found = _views.get(key)
    if found is not None:
        return found
    found = build()
    identity = key[:IDENTITY_LENGTH]
    with _lock:
        for old in [k for k in _views if k[:len(identity)] == identity and k != key]:
            del _views[old]
        _views[key] = found
        while len(_views) > MAX_BATCHES:
            _views.popitem(last=False)
    return found


def _remember(store: OrderedDict, key: tuple, build):
    with _lock:
        found = store.get(key)
        if found is not None:
            store.move_to_end(key)
            return found
    found = build()
    with _lock:
        store[key] = found
        while len(store) > MAX_BATCHES:
            store.popitem(last=False)
    return found


def _frozen(value):
    return tuple(sorted(value.items(), key=repr)) if isinstance(value, dict) else value


def version_key(batch, realm_id: str, settings, refs: MappingRefs) -> tuple:
    """Everything the mapping of a finalized batch depends on besides the batch itself: every
    column of the settings row and every field of the refs, as hashable values (the key itself,
    not a digest: equal keys mean equal inputs)."""
    mapper = sa_inspect(type(settings))
    settings_part = tuple((c.key, repr(getattr(settings, c.key, None))) for c in mapper.column_attrs)
    refs_part = tuple((f.name, _frozen(getattr(refs, f.name))) for f in dataclass_fields(refs))
    return batch_identity(batch) + (realm_id, settings_part, refs_part)


def checks_for(batch, realm_id: str, settings, refs: MappingRefs, invoice_ids: list[int],
               key: tuple | None = None) -> dict[int, Check]:
    """The check of each of `invoice_ids` (eligible invoices of a finalized `batch`); `key`: its
    version_key, when the caller has it already."""
    key = key or version_key(batch, realm_id, settings, refs)
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
        except TaxSetupMissing as error:
            answer[invoice.id] = Check(error=str(error), needs_tax_code=True)
        except MappingError as error:
            answer[invoice.id] = Check(error=str(error))
    for invoice in invoices:  # the ORM graph is not needed past this point
        db.session.expunge(invoice)
    return answer


def clear() -> None:
    with _lock:
        _cache.clear()
        _rows.clear()
        _views.clear()
