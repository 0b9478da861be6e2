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
