from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (CheckConstraint, ForeignKey, Index, String, Time, UniqueConstraint,
                        event, func, inspect, select)
from sqlalchemy.orm import Mapped, Session, column_property, mapped_column, relationship

from extensions import db
from models._types import Money, Quantity, Rate, UTCDateTime, to_cents, utcnow, value_enum
from models.agency import Office
from models.caregivers import Caregiver
from models.clients import Client, Payer, ServiceType
from models.users import User


class BatchStatus(str, enum.Enum):
    DRAFT = "draft"
    FINALIZED = "finalized"


class LineKind(str, enum.Enum):
    SERVICE = "service"
    MILEAGE = "mileage"
    EXPENSE = "expense"
    HOLIDAY_PREMIUM = "holiday_premium"
    OVERTIME_PREMIUM = "overtime_premium"
    DISCOUNT = "discount"
    TAX = "tax"

    @property
    def label(self) -> str:
        return {
            "service": "Service visit", "mileage": "Mileage", "expense": "Expense reimbursement",
            "holiday_premium": "Holiday premium", "overtime_premium": "Overtime premium",
            "discount": "Discount / adjustment", "tax": "Tax",
        }[self.value]


class InvoiceBatch(db.Model):
    """An office's invoices for one billing period. Finalized batches are read-only."""

    __tablename__ = "invoice_batches"
    __table_args__ = (CheckConstraint("period_end >= period_start", name="period_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    status: Mapped[BatchStatus] = mapped_column(value_enum(BatchStatus), default=BatchStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalized_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    office: Mapped[Office] = relationship()
    finalized_by: Mapped[User | None] = relationship()
    invoices: Mapped[list[Invoice]] = relationship(
        back_populates="batch", order_by="Invoice.number", cascade="all, delete-orphan"
    )

    @property
    def is_finalized(self) -> bool:
        return self.status == BatchStatus.FINALIZED


class InvoiceLine(db.Model):
    """One billed line. Amount is always quantity × rate (rounded to cents), so it is derived
    once when the line is built and never typed separately; discounts carry a negative rate."""

    __tablename__ = "invoice_lines"
    __table_args__ = (
        Index("ix_invoice_lines_invoice_position", "invoice_id", "position"),
        CheckConstraint("kind <> 'service' OR service_type_id IS NOT NULL", name="service_has_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[LineKind] = mapped_column(value_enum(LineKind))
    description: Mapped[str] = mapped_column(String(500), default="")
    service_type_id: Mapped[int | None] = mapped_column(ForeignKey("service_types.id"))
    service_date: Mapped[date | None]
    # The caregiver record, and the name the line was billed with (kept as printed, like an
    # invoice keeps its address; set from the record when a line is made).
    caregiver_id: Mapped[int | None] = mapped_column(ForeignKey("caregivers.id"), index=True)
    caregiver_name: Mapped[str] = mapped_column(String(120), default="")
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    quantity: Mapped[Decimal] = mapped_column(Quantity)  # hours, miles or units
    rate: Mapped[Decimal] = mapped_column(Rate)
    amount: Mapped[Decimal] = mapped_column(Money)
    taxable: Mapped[bool] = mapped_column(default=False)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
    service_type: Mapped[ServiceType | None] = relationship()
    caregiver: Mapped[Caregiver | None] = relationship()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.amount is None and self.quantity is not None and self.rate is not None:
            self.amount = to_cents(Decimal(self.quantity) * Decimal(self.rate))


class Invoice(db.Model):
    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("invoice_batches.id", ondelete="CASCADE"),
                                          index=True)
    number: Mapped[str] = mapped_column(String(30))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id"))  # None = private pay
    invoice_date: Mapped[date]
    due_date: Mapped[date]
    period_start: Mapped[date]
    period_end: Mapped[date]

    batch: Mapped[InvoiceBatch] = relationship(back_populates="invoices")
    client: Mapped[Client] = relationship()
    payer: Mapped[Payer | None] = relationship()
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan"
    )

    # Totals are derived from the lines, in SQL, so list pages can show them without N+1 loads.
    subtotal: Mapped[Decimal] = column_property(
        select(func.coalesce(func.sum(InvoiceLine.amount), 0))
        .where(InvoiceLine.invoice_id == id, InvoiceLine.kind != LineKind.TAX)
        .correlate_except(InvoiceLine).scalar_subquery(),
        deferred=True,
    )
    tax: Mapped[Decimal] = column_property(
        select(func.coalesce(func.sum(InvoiceLine.amount), 0))
        .where(InvoiceLine.invoice_id == id, InvoiceLine.kind == LineKind.TAX)
        .correlate_except(InvoiceLine).scalar_subquery(),
        deferred=True,
    )

    @property
    def total(self) -> Decimal:
        return to_cents(Decimal(self.subtotal) + Decimal(self.tax))

    @property
    def bill_to_name(self) -> str:
        return self.payer.name if self.payer else self.client.full_name


class FinalizedBatchError(Exception):
    """A change to a finalized batch (or its invoices or lines) was attempted; roll back."""


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


def install_finalized_batch_lock(session) -> None:
    """Refuse, at flush, any change to a finalized batch or its invoices or lines (idempotent).

    `session` is the app's scoped session (or a session class): the lock then holds for every
    code path, not only the views. `create_app` calls this; nothing registers it at import."""
    if not event.contains(session, "before_flush", _refuse_changes_to_finalized):
        event.listen(session, "before_flush", _refuse_changes_to_finalized)
