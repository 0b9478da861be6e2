"""Catching up after a gap longer than the change feed remembers.

CDC looks back 30 days at most. When the last check covered less than that (the app was off,
the connection expired, the poller was disabled for a month), changes between the last check and
30 days ago are not in the feed any more. For those, each exported invoice that was already in
QuickBooks before the feed's window is read again directly (`select * from Invoice where Id in
(…)`, a few hundred per read): its balance, total, customer and void state come back as they are
now, and an invoice the query no longer returns has been deleted (queries never return deleted
objects). Payments themselves are not re-read, so a payment made in the gap shows as "Paid"
without its date.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from extensions import db
from models.export import ExportStatus, InvoiceExport
from models.payments import QboInvoiceState
from services.mapping.payment import InvoiceChange, parse_invoice

IDS_PER_READ = 300   # keeps each query well inside QuickBooks' 1,000-row answer


def missed_window(watermark: datetime | None, since: datetime, overlap_seconds: float) -> bool:
    """True when this check starts later than the last one ended: changes may have been missed."""
    return watermark is None or watermark - timedelta(seconds=overlap_seconds) < since


def invoices_to_reread(realm_id: str, since: datetime) -> list[str]:
    """QuickBooks ids of invoices exported before `since` whose last known state can still change
    (not deleted or voided)."""
    state = aliased(QboInvoiceState)
    return list(db.session.scalars(
        select(InvoiceExport.qbo_id)
        .outerjoin(state, and_(state.realm_id == InvoiceExport.realm_id, state.qbo_id == InvoiceExport.qbo_id))
        .where(InvoiceExport.realm_id == realm_id, InvoiceExport.status == ExportStatus.EXPORTED,
               InvoiceExport.qbo_id.is_not(None), InvoiceExport.exported_at < since,
               or_(state.id.is_(None), and_(state.deleted.is_(False), state.voided.is_(False))))
        .order_by(InvoiceExport.id)))


def reread(client, qbo_ids: list[str]) -> tuple[list[InvoiceChange], int]:
    """Each invoice as QuickBooks has it now (deleted when no longer returned); (changes, reads)."""
    changes: list[InvoiceChange] = []
    reads = 0
    for start in range(0, len(qbo_ids), IDS_PER_READ):
        chunk = qbo_ids[start:start + IDS_PER_READ]
        listed = ", ".join(f"'{_digits(qbo_id)}'" for qbo_id in chunk)
        found = client.query(f"select * from Invoice where Id in ({listed}) maxresults 1000")
        reads += 1
        docs = {str(doc["Id"]): doc for doc in found.get("Invoice") or [] if isinstance(doc, dict)}
        changes += [parse_invoice(docs[qbo_id]) if qbo_id in docs else InvoiceChange(qbo_id, deleted=True)
                    for qbo_id in chunk]
    return changes, reads


def _digits(qbo_id: str) -> str:
    # QuickBooks ids are digits; anything else would not be ours and must not reach a query.
    if not str(qbo_id).isdigit():
        raise ValueError(f"unexpected QuickBooks id {qbo_id!r}")
    return str(qbo_id)
