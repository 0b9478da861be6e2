"""Export of invoices to QuickBooks Online: one record per invoice and realm, jobs, an audit trail.

`InvoiceExport` is the exactly-once ledger. Its `request_id` is written (and committed) before the
first send and reused on every resend of the same attempt chain; `attempts` is raised and
committed *before* each send, so after a crash or an ambiguous failure the next worker knows the
invoice may already be in QuickBooks and looks it up by DocNumber before sending again.
The unique (realm_id, invoice_id) constraint means two browsers, two processes or a double click
can never create two records, hence never two sends, for the same invoice.
"""
from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models._types import Money, UTCDateTime, utcnow, value_enum
from models.billing import Invoice, InvoiceBatch
from models.users import User


def new_request_id() -> str:
    """QBO requestid: unique per company, ≤50 chars (36 for batches); a uuid4 hex is 32."""
    return uuid.uuid4().hex


class ExportStatus(str, enum.Enum):
    QUEUED = "queued"        # waiting for a worker (never sent, or to be re-checked and re-sent)
    SENDING = "sending"      # claimed by a worker under a lease; may have reached QuickBooks
    EXPORTED = "exported"    # in QuickBooks: qbo_id is set
    FAILED = "failed"        # QuickBooks refused it (or it cannot be mapped); Retry re-queues it

    @property
    def label(self) -> str:
        return {"queued": "Queued", "sending": "Sending", "exported": "In QuickBooks",
                "failed": "Failed"}[self.value]


class JobStatus(str, enum.Enum):
    RUNNING = "running"
    DONE = "done"
    PAUSED = "paused"        # stopped by something only a person can fix (e.g. reconnect QBO)


class InvoiceExport(db.Model):
    __tablename__ = "invoice_exports"
    __table_args__ = (
        UniqueConstraint("realm_id", "invoice_id", name="one_export_per_invoice"),
        Index("ix_invoice_exports_claim", "realm_id", "status", "lease_expires_at"),
        Index("ix_invoice_exports_job", "job_id", "status"),
        Index("ix_invoice_exports_realm_updated", "realm_id", "updated_at"),  # the progress poll's "changed?"
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("export_jobs.id", ondelete="SET NULL"))
    status: Mapped[ExportStatus] = mapped_column(value_enum(ExportStatus, 20), default=ExportStatus.QUEUED)
    request_id: Mapped[str] = mapped_column(String(36), default=new_request_id)
    doc_number: Mapped[str] = mapped_column(String(30))
    qbo_customer_id: Mapped[str | None] = mapped_column(String(32))
    expected_total: Mapped[Decimal | None] = mapped_column(Money)  # agency total minus tax
    qbo_id: Mapped[str | None] = mapped_column(String(32))
    sync_token: Mapped[str | None] = mapped_column(String(16))
    qbo_total: Mapped[Decimal | None] = mapped_column(Money)
    adopted: Mapped[bool] = mapped_column(default=False)  # found in QBO rather than confirmed by a reply
    attempts: Mapped[int] = mapped_column(default=0)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_code: Mapped[str | None] = mapped_column(String(20))
    last_error: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Issue 16. The digest of what QuickBooks held after our last write (customer, date, lines,
    # total): a later read that differs means someone changed it there. `generation` counts the
    # QuickBooks invoices made for this invoice: after a void the next one needs a new DocNumber.
    qbo_digest: Mapped[str | None] = mapped_column(String(64))
    generation: Mapped[int] = mapped_column(default=1)

    invoice: Mapped[Invoice] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def is_final(self) -> bool:
        return self.status in (ExportStatus.EXPORTED, ExportStatus.FAILED)


class ExportJob(db.Model):
    """One press of Export (or one `flask qbo export`): the unit the progress bar follows."""

    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_batches.id", ondelete="SET NULL"),
                                                 index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(10), default="web")  # web | cli
    status: Mapped[JobStatus] = mapped_column(value_enum(JobStatus, 20), default=JobStatus.RUNNING)
    selected: Mapped[int] = mapped_column(default=0)   # invoices ticked
    queued: Mapped[int] = mapped_column(default=0)     # of which this job queued (others: already done)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(10), default="export")  # export | undo (issue 16)
    undo_of_id: Mapped[int | None] = mapped_column(ForeignKey("export_jobs.id", ondelete="SET NULL"))

    batch: Mapped[InvoiceBatch | None] = relationship()
    requested_by: Mapped[User | None] = relationship()


class ExportEvent(db.Model):
    """The audit trail: who did what to which invoice's export, when, with which QBO ids."""

    __tablename__ = "export_events"
    __table_args__ = (Index("ix_export_events_at", "at"),
                      Index("ix_export_events_invoice", "invoice_id", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    realm_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(20))  # see services.export.audit.ACTIONS
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("export_jobs.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(120), default="")  # name, or "worker"/"cli"
    request_id: Mapped[str | None] = mapped_column(String(64))
    qbo_id: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")

    invoice: Mapped[Invoice | None] = relationship()
    user: Mapped[User | None] = relationship()


class ExportRealmPacing(db.Model):
    """One row per QuickBooks company: the row every exporting process locks while it decides
    whether a request may start (so the decision is serial across processes), and the pause a
    429 imposes on all of them."""

    __tablename__ = "export_realm_pacing"

    realm_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExportRequestStart(db.Model):
    """When a request to QuickBooks started, from any process: the shared sliding log Intuit's
    per-second and per-minute limits are checked against. Rows older than the longest window
    are pruned as new ones are written."""

    __tablename__ = "export_request_starts"
    __table_args__ = (Index("ix_export_request_starts_realm", "realm_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_batch: Mapped[bool] = mapped_column(default=False)
