"""What happens in QuickBooks after an invoice was sent (issue 15): the latest known state of each
QuickBooks invoice, payment and customer the change feed (CDC) reported, the poller's lease and
watermark per company, and the webhook events received.

Every row is keyed by (realm_id, QuickBooks Id) and written by upsert, so the same change arriving
twice (a repeated poll window, a webhook hint and a poll) leaves the same row. These tables are a
copy of QuickBooks' side only: what CareLedger sent stays in `invoice_exports`.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models._types import Money, UTCDateTime, utcnow


class QboInvoiceState(db.Model):
    """An invoice as QuickBooks last reported it (or its tombstone)."""

    __tablename__ = "qbo_invoice_states"
    __table_args__ = (UniqueConstraint("realm_id", "qbo_id", name="one_state_per_qbo_invoice"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    qbo_id: Mapped[str] = mapped_column(String(32))
    doc_number: Mapped[str] = mapped_column(String(30), default="")
    customer_id: Mapped[str | None] = mapped_column(String(32))
    total: Mapped[Decimal | None] = mapped_column(Money)
    balance: Mapped[Decimal | None] = mapped_column(Money)
    voided: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    qbo_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # MetaData.LastUpdatedTime
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class QboPayment(db.Model):
    __tablename__ = "qbo_payments"
    __table_args__ = (UniqueConstraint("realm_id", "qbo_id", name="one_row_per_qbo_payment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    qbo_id: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(String(32))
    total: Mapped[Decimal | None] = mapped_column(Money)
    txn_date: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100), default="")   # PaymentRefNum (cheque no.)
    voided: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    qbo_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class QboPaymentLine(db.Model):
    """How much of one payment is applied to one invoice (Payment.Line[].LinkedTxn). Replaced
    as a whole each time the payment is reported; gone when the payment is voided or deleted."""

    __tablename__ = "qbo_payment_lines"
    __table_args__ = (
        UniqueConstraint("realm_id", "payment_qbo_id", "invoice_qbo_id", name="one_line_per_payment_invoice"),
        Index("ix_qbo_payment_lines_invoice", "realm_id", "invoice_qbo_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    payment_qbo_id: Mapped[str] = mapped_column(String(32))
    invoice_qbo_id: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(Money)


class QboCustomerState(db.Model):
    """A customer as QuickBooks last reported it. `merged_into_id` is set when a deleted customer
    turned out to be merged into another (its invoices moved there, or a webhook said so)."""

    __tablename__ = "qbo_customer_states"
    __table_args__ = (UniqueConstraint("realm_id", "qbo_id", name="one_state_per_qbo_customer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    qbo_id: Mapped[str] = mapped_column(String(32))
    display_name: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(default=True)
    deleted: Mapped[bool] = mapped_column(default=False)
    merged_into_id: Mapped[str | None] = mapped_column(String(32))
    qbo_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class QboPollState(db.Model):
    """One row per company: the change-feed watermark and the lease that lets one process at a
    time poll (taken by a conditional UPDATE, so it works the same on SQLite and PostgreSQL)."""

    __tablename__ = "qbo_poll_state"

    realm_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    watermark: Mapped[datetime | None] = mapped_column(UTCDateTime)   # taken before the last good call
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # button or webhook: poll soon
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_changes: Mapped[int] = mapped_column(default=0)
    last_reads: Mapped[int] = mapped_column(default=0)


class QboWebhookEvent(db.Model):
    """One CloudEvent Intuit delivered (deduplicated on its `id`): a hint that the poller should
    look soon. `processed_at` is set once a poll that started after it has finished."""

    __tablename__ = "qbo_webhook_events"
    __table_args__ = (Index("ix_qbo_webhook_events_pending", "realm_id", "processed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(100), unique=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    event_type: Mapped[str] = mapped_column(String(100), default="")   # qbo.invoice.updated.v1
    entity_id: Mapped[str] = mapped_column(String(32), default="")
    deleted_id: Mapped[str | None] = mapped_column(String(32))          # merged: the loser
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
