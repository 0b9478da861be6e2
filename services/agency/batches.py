"""Invoice batches: scoped lists with totals computed in SQL, finalizing, and the read-only lock.

Finalized batches never change after finalizing; the session-level lock that enforces it lives
with the models (`models.billing.install_finalized_batch_lock`, installed by `create_app`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload, undefer

from extensions import db
from models import BatchStatus, Invoice, InvoiceBatch, InvoiceLine
from models.billing import FinalizedBatchError  # noqa: F401  (callers catch it from here)
from models._types import to_cents, utcnow
from services.agency.offices import visible_office_ids


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
    """A select of the batches `user` may see (with office and finalizer loaded), newest period
    first. Date filters keep batches whose period overlaps [date_from, date_to].

    Counts and totals are not in it: `to_batch_rows` aggregates them for one page of batches,
    so a list page costs the same however many invoices the agency has billed over the years.
    """
    statement = (
        select(InvoiceBatch)
        .where(InvoiceBatch.status == status, InvoiceBatch.office_id.in_(visible_office_ids(user)))
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


def to_batch_rows(batches) -> list[BatchRow]:
    """Each batch with its invoice count and total (tax lines included: what the invoices bill),
    aggregated in one query for these batches only."""
    batches = list(batches)
    ids = [b.id for b in batches]
    counts = dict(db.session.execute(select(Invoice.batch_id, func.count(Invoice.id))
                                     .where(Invoice.batch_id.in_(ids)).group_by(Invoice.batch_id)).all()) if ids else {}
    sums = dict(db.session.execute(select(Invoice.batch_id, func.sum(InvoiceLine.amount))
                                   .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
                                   .where(Invoice.batch_id.in_(ids)).group_by(Invoice.batch_id)).all()) if ids else {}
    return [BatchRow(batch=b, invoice_count=int(counts.get(b.id, 0)), total=to_cents(Decimal(sums.get(b.id) or 0)))
            for b in batches]


def finalized_batches(user, office_id: int | None = None, date_from: date | None = None,
                      date_to: date | None = None) -> list[BatchRow]:
    """Finalized batches the user may see, each with its invoice count and total."""
    statement = batch_rows_statement(user, BatchStatus.FINALIZED, office_id, date_from, date_to)
    return to_batch_rows(db.session.scalars(statement).unique())


def draft_batches(user, office_id: int | None = None) -> list[BatchRow]:
    statement = batch_rows_statement(user, BatchStatus.DRAFT, office_id)
    return to_batch_rows(db.session.scalars(statement).unique())


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
