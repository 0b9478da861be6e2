"""Time data to QuickBooks: the time settings per service type, and the exactly-once ledger of
visits sent as TimeActivity objects (the invoice export's ledger, models/export.py, per visit).

`TimeExport` has the columns services/export/records.py claims, leases and fences by (status,
request_id, attempts, lease_owner, lease_expires_at, …), so the invoice exporter's machinery runs
it unchanged. One record per (realm, invoice line): two clicks, two browsers or two processes can
never send one visit twice.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models._types import UTCDateTime, utcnow, value_enum
from models.billing import InvoiceBatch, InvoiceLine
from models.clients import ServiceType
from models.export import ExportStatus, JobStatus, new_request_id
from models.users import User


class TimeSetting(db.Model):
    """How the visits of one service type become time in one company."""

    __tablename__ = "time_settings"
    __table_args__ = (UniqueConstraint("realm_id", "service_type_id", name="one_time_setting_per_service"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    service_type_id: Mapped[int] = mapped_column(ForeignKey("service_types.id", ondelete="CASCADE"))
    qbo_item_id: Mapped[str | None] = mapped_column(String(32))    # None: no item on the time
    qbo_item_name: Mapped[str] = mapped_column(String(200), default="")
    billable: Mapped[bool] = mapped_column(default=False)
    # A visit already billed on an invoice exported to QuickBooks goes as HasBeenBilled, so the
    # time is never offered for billing a second time.
    mark_billed: Mapped[bool] = mapped_column(default=True)
    cost_rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))

    service_type: Mapped[ServiceType] = relationship()


class TimeExportJob(db.Model):
    """One press of Export time (or one `flask qbo export-time`): what its progress bar follows."""

    __tablename__ = "time_export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_batches.id", ondelete="SET NULL"),
                                                 index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(10), default="web")
    status: Mapped[JobStatus] = mapped_column(value_enum(JobStatus, 20), default=JobStatus.RUNNING)
    selected: Mapped[int] = mapped_column(default=0)
    queued: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    batch: Mapped[InvoiceBatch | None] = relationship()
    requested_by: Mapped[User | None] = relationship()


class TimeExport(db.Model):
    __tablename__ = "time_exports"
    __table_args__ = (
        UniqueConstraint("realm_id", "line_id", name="one_export_per_visit"),
        Index("ix_time_exports_claim", "realm_id", "status", "lease_expires_at"),
        Index("ix_time_exports_job", "job_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    realm_id: Mapped[str] = mapped_column(String(32))
    line_id: Mapped[int] = mapped_column(ForeignKey("invoice_lines.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("time_export_jobs.id", ondelete="SET NULL"))
    status: Mapped[ExportStatus] = mapped_column(value_enum(ExportStatus, 20), default=ExportStatus.QUEUED)
    request_id: Mapped[str] = mapped_column(String(36), default=new_request_id)
    worker_key: Mapped[str | None] = mapped_column(String(50))     # "Employee:5" the time was sent for
    qbo_id: Mapped[str | None] = mapped_column(String(32))
    adopted: Mapped[bool] = mapped_column(default=False)
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

    line: Mapped[InvoiceLine] = relationship()


class TimeExportEvent(db.Model):
    """The audit trail of time exports: who did what to which visit, when, with which QBO ids."""

    __tablename__ = "time_export_events"
    __table_args__ = (Index("ix_time_export_events_line", "line_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    realm_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(20))
    line_id: Mapped[int | None] = mapped_column(ForeignKey("invoice_lines.id", ondelete="SET NULL"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("time_export_jobs.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(120), default="")
    request_id: Mapped[str | None] = mapped_column(String(64))
    qbo_id: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
