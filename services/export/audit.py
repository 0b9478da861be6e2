"""The export audit trail: one row per thing that happened to an invoice's export, and the
filtered list behind the audit log page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import insert, select
from sqlalchemy.orm import joinedload

from extensions import db
from models import Invoice, InvoiceBatch
from models._types import utcnow
from models.export import ExportEvent

ACTIONS = {
    "queued": "Queued for export",
    "skipped": "Already in QuickBooks or in progress (nothing sent)",
    "sent": "Sent to QuickBooks",
    "exported": "Created in QuickBooks",
    "adopted": "Found already in QuickBooks (adopted)",
    "failed": "Refused",
    "retried": "Queued again (Retry)",
    "paused": "Paused",
    "reexported": "Queued again after it was deleted in QuickBooks",
    # issue 16: corrections, update, void and undo (an export after a preview is a "queued" event
    # whose detail says so)
    "corrected": "Corrected in CareLedger (a new revision)",
    "qbo_sent": "Correction sent to QuickBooks",
    "updated": "Updated in QuickBooks",
    "voided": "Voided in QuickBooks",
    "deleted": "Deleted in QuickBooks",
    "refused": "Refused (nothing changed in QuickBooks)",
    "undo": "Undo export started",
    "undo_skipped": "Left alone by Undo export",
}
CORRECTION_ACTIONS = ("corrected", "qbo_sent", "updated", "voided", "deleted", "refused",
                      "undo", "undo_skipped")


def record(realm_id: str, action: str, *, invoice_id: int | None = None, job_id: int | None = None,
           user_id: int | None = None, actor: str = "", request_id: str | None = None,
           qbo_id: str | None = None, detail: str = "") -> ExportEvent:
    """Add an event to the session (the caller's commit makes it durable with the change)."""
    assert action in ACTIONS, action
    event = ExportEvent(realm_id=realm_id, action=action, invoice_id=invoice_id, job_id=job_id,
                        user_id=user_id, actor=actor[:120], request_id=request_id, qbo_id=qbo_id,
                        detail=detail)
    db.session.add(event)
    return event


def record_many(realm_id: str, action: str, invoice_ids, *, job_id: int | None = None,
                user_id: int | None = None, actor: str = "", detail: str = "") -> None:
    """The same event for many invoices in one statement (an export of a thousand invoices
    queues a thousand): in the session's transaction, made durable by the caller's commit."""
    assert action in ACTIONS, action
    at = utcnow()
    rows = [dict(at=at, realm_id=realm_id, action=action, invoice_id=invoice_id, job_id=job_id,
                 user_id=user_id, actor=actor[:120], request_id=None, qbo_id=None, detail=detail)
            for invoice_id in invoice_ids]
    if rows:
        db.session.execute(insert(ExportEvent.__table__), rows)


@dataclass(frozen=True)
class AuditFilter:
    office_ids: list[int]
    action: str | None = None
    invoice_number: str | None = None
    user_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def events(flt: AuditFilter, limit: int = 200, offset: int = 0) -> list[ExportEvent]:
    """Newest first, limited to invoices of the offices the viewer may see."""
    statement = (select(ExportEvent)
                 .join(Invoice, Invoice.id == ExportEvent.invoice_id)
                 .join(InvoiceBatch, InvoiceBatch.id == Invoice.batch_id)
                 .where(InvoiceBatch.office_id.in_(flt.office_ids))
                 .options(joinedload(ExportEvent.invoice).joinedload(Invoice.batch),
                          joinedload(ExportEvent.invoice).joinedload(Invoice.client),
                          joinedload(ExportEvent.user))
                 .order_by(ExportEvent.at.desc(), ExportEvent.id.desc()))
    if flt.action:
        statement = statement.where(ExportEvent.action == flt.action)
    if flt.invoice_number:
        statement = statement.where(Invoice.number.ilike(f"%{flt.invoice_number.strip()}%"))
    if flt.user_id:
        statement = statement.where(ExportEvent.user_id == flt.user_id)
    if flt.date_from:
        statement = statement.where(ExportEvent.at >= _start(flt.date_from))
    if flt.date_to:
        statement = statement.where(ExportEvent.at < _start(flt.date_to + timedelta(days=1)))
    return list(db.session.scalars(statement.limit(limit).offset(offset)))


def history_of(invoice_id: int) -> list[ExportEvent]:
    return list(db.session.scalars(select(ExportEvent).where(ExportEvent.invoice_id == invoice_id)
                                   .options(joinedload(ExportEvent.user))
                                   .order_by(ExportEvent.at, ExportEvent.id)))


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)
