"""Invoice batches: scoped lists with totals computed in SQL, finalizing, and the read-only lock.

Finalized batches are the agency's record of what was billed, so they never change after
finalizing. That is enforced at the session level (`before_flush`), not only in the views: any
code path that adds, edits or deletes a finalized batch or its invoices or lines is refused with
`FinalizedBatchError`, and its transaction should be rolled back.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session, joinedload, selectinload, undefer

from extensions import db
from models import BatchStatus, Invoice, InvoiceBatch, InvoiceLine
from models._types import to_cents, utcnow
from services.offices import visible_office_ids


class FinalizedBatchError(Exception):
    """A change to a finalized batch (or its invoices or lines) was attempted."""


class BatchNotFinalizable(Exception):
    """The batch cannot be finalized (already finalized, or nothing in it)."""


@dataclass(frozen=True)
class BatchRow:
    batch: InvoiceBatch
    invoice_count: int
    total: Decimal


# ---------------------------------------------------------------------------------------------
# Lists


def batch_rows_statement(user, status: BatchStatus, office_id: int | None = None,
                         date_from: date | None = None, date_to: date | None = None):
    """A select of (InvoiceBatch, invoice_count, total) for the batches `user` may see.

    Counts and totals are aggregated in one query (no per-batch loads). The total includes tax
    lines, i.e. it is what the invoices bill. Date filters keep batches whose period overlaps
    [date_from, date_to]. Newest period first.
    """
    # Two pre-aggregated subqueries joined to the batches: no GROUP BY on the outer query, so
    # eager-loaded office/user columns stay valid on PostgreSQL too.
    counts = (select(Invoice.batch_id.label("batch_id"), func.count(Invoice.id).label("n"))
              .group_by(Invoice.batch_id).subquery())
    sums = (select(Invoice.batch_id.label("batch_id"), func.sum(InvoiceLine.amount).label("amount"))
            .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
            .group_by(Invoice.batch_id).subquery())
    statement = (
        select(InvoiceBatch,
               func.coalesce(counts.c.n, 0).label("invoice_count"),
               func.coalesce(sums.c.amount, 0).label("total"))
        .outerjoin(counts, counts.c.batch_id == InvoiceBatch.id)
        .outerjoin(sums, sums.c.batch_id == InvoiceBatch.id)
        .where(InvoiceBatch.status == status,
               InvoiceBatch.office_id.in_(visible_office_ids(user)))
        .options(joinedload(InvoiceBatch.office), joinedload(InvoiceBatch.finalized_by))
        .order_by(InvoiceBatch.period_end.desc(), InvoiceBatch.number.desc())
    )
    if office_id is not None:
        statement = statement.where(InvoiceBatch.office_id == office_id)
    if date_from is not None:
        statement = statement.where(InvoiceBatch.period_end >= date_from)
    if date_to is not None:
        statement = statement.where(InvoiceBatch.period_start <= date_to)
    return statement


def to_batch_rows(rows) -> list[BatchRow]:
    return [BatchRow(batch=row[0], invoice_count=int(row[1]), total=to_cents(Decimal(row[2])))
            for row in rows]


def finalized_batches(user, office_id: int | None = None, date_from: date | None = None,
                      date_to: date | None = None) -> list[BatchRow]:
    """Finalized batches the user may see, each with its invoice count and total."""
    statement = batch_rows_statement(user, BatchStatus.FINALIZED, office_id, date_from, date_to)
    return to_batch_rows(db.session.execute(statement).all())


def draft_batches(user, office_id: int | None = None) -> list[BatchRow]:
    statement = batch_rows_statement(user, BatchStatus.DRAFT, office_id)
    return to_batch_rows(db.session.execute(statement).all())


# ---------------------------------------------------------------------------------------------
# One batch, one invoice


def batch_for(user, batch_id: int) -> InvoiceBatch | None:
    """The batch if `user` may see its office, else None (callers answer 404)."""
    batch = db.session.get(InvoiceBatch, batch_id, options=[joinedload(InvoiceBatch.office)])
    if batch is None or not user.can_see_office(batch.office_id):
        return None
    return batch


def invoices_of(batch: InvoiceBatch) -> list[Invoice]:
    """The batch's invoices with client, payer and SQL-computed subtotal/tax in one round trip."""
    statement = (
        select(Invoice)
        .where(Invoice.batch_id == batch.id)
        .options(joinedload(Invoice.client), joinedload(Invoice.payer),
                 undefer(Invoice.subtotal), undefer(Invoice.tax))
        .order_by(Invoice.number)
    )
    return list(db.session.scalars(statement))


def invoice_for(user, invoice_id: int) -> Invoice | None:
    statement = (
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .options(joinedload(Invoice.batch).joinedload(InvoiceBatch.office),
                 joinedload(Invoice.client), joinedload(Invoice.payer),
                 selectinload(Invoice.lines).joinedload(InvoiceLine.service_type),
                 undefer(Invoice.subtotal), undefer(Invoice.tax))
    )
    invoice = db.session.scalar(statement)
    if invoice is None or not user.can_see_office(invoice.batch.office_id):
        return None
    return invoice


def batch_totals(invoices: list[Invoice]) -> dict:
    subtotal = sum((Decimal(i.subtotal) for i in invoices), Decimal("0"))
    tax = sum((Decimal(i.tax) for i in invoices), Decimal("0"))
    return {"subtotal": to_cents(subtotal), "tax": to_cents(tax), "total": to_cents(subtotal + tax)}


# ---------------------------------------------------------------------------------------------
# Finalizing


def finalize_batch(batch: InvoiceBatch, user) -> InvoiceBatch:
    """Mark a draft batch finalized, recording who and when. The caller commits."""
    if batch.is_finalized:
        raise BatchNotFinalizable("This batch is already finalized.")
    has_invoice = db.session.scalar(select(Invoice.id).where(Invoice.batch_id == batch.id).limit(1))
    if has_invoice is None:
        raise BatchNotFinalizable("A batch with no invoices cannot be finalized.")
    batch.status = BatchStatus.FINALIZED
    batch.finalized_at = utcnow()
    batch.finalized_by_id = user.id
    db.session.flush()
    return batch


# ---------------------------------------------------------------------------------------------
# The read-only lock


def _was_finalized(batch: InvoiceBatch | None) -> bool:
    """True if the batch is finalized in the database (its status before this flush)."""
    if batch is None:
        return False
    state = inspect(batch)
    if state.pending or state.transient:
        return False  # a batch created finalized in this transaction (e.g. by an import)
    history = state.attrs.status.history
    if history.deleted:
        return history.deleted[0] == BatchStatus.FINALIZED
    return batch.status == BatchStatus.FINALIZED


def _batch_of(obj, session: Session) -> InvoiceBatch | None:
    if isinstance(obj, InvoiceBatch):
        return obj
    if isinstance(obj, Invoice):
        batch_ids = {obj.batch_id}
        history = inspect(obj).attrs.batch_id.history
        batch_ids.update(history.deleted or ())
        for batch_id in batch_ids - {None}:
            batch = session.get(InvoiceBatch, batch_id)
            if _was_finalized(batch):
                return batch
        return obj.batch
    if isinstance(obj, InvoiceLine):
        invoice_ids = {obj.invoice_id} | set(inspect(obj).attrs.invoice_id.history.deleted or ())
        for invoice_id in invoice_ids - {None}:
            invoice = session.get(Invoice, invoice_id)
            if invoice is not None and _was_finalized(_batch_of(invoice, session)):
                return invoice.batch
        return obj.invoice.batch if obj.invoice is not None else None
    return None


def _refuse_changes_to_finalized(session: Session, flush_context, instances) -> None:
    candidates = [o for o in session.new if isinstance(o, (Invoice, InvoiceLine))]
    candidates += [o for o in session.dirty
                   if isinstance(o, (InvoiceBatch, Invoice, InvoiceLine)) and session.is_modified(o)]
    candidates += [o for o in session.deleted if isinstance(o, (InvoiceBatch, Invoice, InvoiceLine))]
    for obj in candidates:
        with session.no_autoflush:
            batch = _batch_of(obj, session)
        if _was_finalized(batch):
            raise FinalizedBatchError(f"Batch {batch.number} is finalized and cannot be changed.")


# Registered once, for every session (the sandbox's own sessions never hold these objects).
if not event.contains(Session, "before_flush", _refuse_changes_to_finalized):
    event.listen(Session, "before_flush", _refuse_changes_to_finalized)
