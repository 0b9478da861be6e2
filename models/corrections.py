"""Corrections of exported invoices (issue 16): revisions of an invoice's lines, and the QuickBooks
writes that carry a correction, a void or an undo.

A finalized batch stays locked: a correction never edits `invoice_lines`. It adds an
`InvoiceRevision` (number 1, 2, …; the finalized lines are revision 0) holding a full copy of the
corrected lines, the reason and who made it. Every revision is kept.

`InvoiceAction` is the exactly-once ledger of one write to an existing QuickBooks invoice
(update, void or delete), built like `InvoiceExport`: its request id is committed before the first
send, `attempts` is raised before each send, claims are leased, and `dedupe_key` is UNIQUE so a
double click, two browsers or two undo presses can never make two actions for the same write.
"""
from __future__ import annotations

import enum
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models._types import Money, Quantity, Rate, UTCDateTime, to_cents, utcnow, value_enum
from models.billing import Invoice, LineKind
from models.clients import ServiceType
from models.export import new_request_id
from models.users import User


class InvoiceRevision(db.Model):
    __tablename__ = "invoice_revisions"
    __table_args__ = (Index("ix_invoice_revisions_invoice", "invoice_id", "number", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(default=1)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    invoice: Mapped[Invoice] = relationship()
    created_by: Mapped[User | None] = relationship()
    lines: Mapped[list["InvoiceRevisionLine"]] = relationship(
        back_populates="revision", order_by="InvoiceRevisionLine.position", cascade="all, delete-orphan")

    @property
    def subtotal(self) -> Decimal:
        return to_cents(sum((Decimal(l.amount) for l in self.lines if l.kind != LineKind.TAX), Decimal(0)))

    @property
    def tax(self) -> Decimal:
        return to_cents(sum((Decimal(l.amount) for l in self.lines if l.kind == LineKind.TAX), Decimal(0)))

    @property
    def total(self) -> Decimal:
        return to_cents(self.subtotal + self.tax)


class InvoiceRevisionLine(db.Model):
    """A corrected line: the same attributes the mapping reads from an `InvoiceLine`."""

    __tablename__ = "invoice_revision_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("invoice_revisions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[LineKind] = mapped_column(value_enum(LineKind))
    description: Mapped[str] = mapped_column(String(500), default="")
    service_type_id: Mapped[int | None] = mapped_column(ForeignKey("service_types.id"))
    service_date: Mapped[date | None]
    caregiver_id: Mapped[int | None] = mapped_column(ForeignKey("caregivers.id"))
    caregiver_name: Mapped[str] = mapped_column(String(120), default="")
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    rate: Mapped[Decimal] = mapped_column(Rate)
    amount: Mapped[Decimal] = mapped_column(Money)
    taxable: Mapped[bool] = mapped_column(default=False)

    revision: Mapped[InvoiceRevision] = relationship(back_populates="lines")
    service_type: Mapped[ServiceType | None] = relationship()


class ActionKind(str, enum.Enum):
    UPDATE = "update"
    VOID = "void"
    DELETE = "delete"

    @property
    def label(self) -> str:
        return {"update": "Update in QuickBooks", "void": "Void in QuickBooks",
                "delete": "Delete in QuickBooks"}[self.value]


class ActionStatus(str, enum.Enum):
    QUEUED = "queued"
    SENDING = "sending"      # claimed under a lease; may have reached QuickBooks
    DONE = "done"
    REFUSED = "refused"      # refused before or by QuickBooks; nothing changed there
    SKIPPED = "skipped"      # an undo left it alone (a payment settles it, already gone)


FINAL_ACTION_STATUSES = (ActionStatus.DONE, ActionStatus.REFUSED, ActionStatus.SKIPPED)


class InvoiceAction(db.Model):
    __tablename__ = "invoice_actions"
    __table_args__ = (Index("ix_invoice_actions_claim", "realm_id", "status", "lease_expires_at"),
                      Index("ix_invoice_actions_job", "job_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    # "update:<qbo id>:<revision id>" or "remove:<qbo id>": one action per write, ever.
    dedupe_key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[ActionKind] = mapped_column(value_enum(ActionKind, 10))
    status: Mapped[ActionStatus] = mapped_column(value_enum(ActionStatus, 10), default=ActionStatus.QUEUED)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    export_id: Mapped[int] = mapped_column(ForeignKey("invoice_exports.id", ondelete="CASCADE"))
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_revisions.id", ondelete="SET NULL"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("export_jobs.id", ondelete="SET NULL"))
    qbo_id: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str] = mapped_column(String(36), default=new_request_id)
    attempts: Mapped[int] = mapped_column(default=0)
    stale_retries: Mapped[int] = mapped_column(default=0)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sync_token_after: Mapped[str | None] = mapped_column(String(16))
    total_after: Mapped[Decimal | None] = mapped_column(Money)
    message: Mapped[str] = mapped_column(Text, default="")      # the outcome in plain words
    conflict: Mapped[str | None] = mapped_column(Text)          # JSON: both sides when QBO changed
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invoice: Mapped[Invoice] = relationship()
    revision: Mapped[InvoiceRevision | None] = relationship()
    requested_by: Mapped[User | None] = relationship()


class UndoMode(str, enum.Enum):
    VOID = "void"
    DELETE = "delete"


class CorrectionSettings(db.Model):
    """Per QuickBooks company: what Undo export does to the invoices it takes back."""

    __tablename__ = "correction_settings"

    realm_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    undo_mode: Mapped[UndoMode] = mapped_column(value_enum(UndoMode, 10), default=UndoMode.VOID)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
