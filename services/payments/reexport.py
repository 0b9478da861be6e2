"""Export again an invoice the bookkeeper deleted in QuickBooks — once, after a confirmation.

The export ledger keeps one record per (company, invoice) and that UNIQUE rule is what makes
exports exactly-once, so the old record is not bypassed: it is turned back into a queued one by
ONE conditional UPDATE that only matches while it is still "exported" *as the deleted QuickBooks
invoice* (`status = 'exported' AND qbo_id = <the deleted Id>`). A double click, two browsers or two
processes run the same UPDATE; the first changes the row, the others match nothing and queue
nothing. Once sent again the record names the new QuickBooks invoice, so the deleted one can no
longer be exported a second time.

The re-queued record gets a new request id and attempts = 0: QuickBooks must not replay the
first creation's answer (it names the deleted invoice), and nothing of the new attempt has been
sent yet. The old QuickBooks Id stays in the audit trail.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from extensions import db
from models import Invoice
from models._types import utcnow
from models.export import ExportJob, ExportStatus, InvoiceExport, JobStatus, new_request_id
from models.payments import QboInvoiceState
from services.export import audit


class ExportAgainRefused(Exception):
    """Why the invoice cannot be exported again (plain words)."""


@dataclass(frozen=True)
class ExportAgain:
    job: ExportJob | None
    queued: bool
    message: str


def deleted_record(realm_id: str, invoice_id: int) -> InvoiceExport | None:
    """The invoice's export record when QuickBooks reported its invoice deleted or voided."""
    found = removed_record(realm_id, invoice_id)
    return found[0] if found else None


def removed_record(realm_id: str, invoice_id: int) -> tuple[InvoiceExport, bool] | None:
    """(record, voided) when QuickBooks' invoice for it is deleted or voided (issue 16: a voided
    invoice keeps its number in QuickBooks, so the next one is numbered "<DocNumber>-2")."""
    record = db.session.scalar(select(InvoiceExport).where(
        InvoiceExport.realm_id == realm_id, InvoiceExport.invoice_id == invoice_id))
    if record is None or record.status != ExportStatus.EXPORTED or not record.qbo_id:
        return None
    state = db.session.execute(select(QboInvoiceState.deleted, QboInvoiceState.voided).where(
        QboInvoiceState.realm_id == realm_id, QboInvoiceState.qbo_id == record.qbo_id)).first()
    if state is None or not (state.deleted or state.voided):
        return None
    return record, bool(state.voided and not state.deleted)


def export_again(user, invoice: Invoice, realm_id: str | None, *, actor: str | None = None) -> ExportAgain:
    """Queue the deleted invoice once more. Commits. Raises ExportAgainRefused."""
    if not realm_id:
        raise ExportAgainRefused("QuickBooks is not connected.")
    found = removed_record(realm_id, invoice.id)
    if found is None and _on_its_way(realm_id, invoice.id):  # the second click of a double click
        return ExportAgain(None, False, f"Invoice {invoice.number} is already being exported again.")
    if found is None:
        raise ExportAgainRefused(f"Invoice {invoice.number} is not deleted or voided in QuickBooks, so it is "
                                 "not exported again.")
    record, voided = found
    deleted_id, user_id = record.qbo_id, getattr(user, "id", None)
    job = ExportJob(realm_id=realm_id, batch_id=invoice.batch_id, requested_by_id=user_id, source="web",
                    selected=1, queued=1)
    db.session.add(job)
    db.session.flush()
    now = utcnow()
    changed = db.session.execute(
        update(InvoiceExport)
        .where(InvoiceExport.id == record.id, InvoiceExport.status == ExportStatus.EXPORTED,
               InvoiceExport.qbo_id == deleted_id)
        .values(status=ExportStatus.QUEUED, job_id=job.id, request_id=new_request_id(), attempts=0,
                qbo_id=None, sync_token=None, qbo_total=None, adopted=False, exported_at=None,
                error_code=None, last_error=None, lease_owner=None, lease_expires_at=None,
                requested_by_id=user_id, updated_at=now, qbo_digest=None,
                generation=record.generation + (1 if voided else 0))
        .execution_options(synchronize_session=False)).rowcount
    if not changed:  # someone pressed it first: their export is under way
        db.session.rollback()
        return ExportAgain(None, False, f"Invoice {invoice.number} is already being exported again.")
    audit.record(realm_id, "reexported", invoice_id=invoice.id, job_id=job.id, user_id=user_id,
                 actor=actor or getattr(user, "name", "") or "web", qbo_id=deleted_id,
                 detail=f"QuickBooks invoice {deleted_id} was {'voided' if voided else 'deleted'} there")
    db.session.commit()
    _wake_exporter()
    return ExportAgain(job, True, f"Invoice {invoice.number} is queued to be exported again.")


def _on_its_way(realm_id: str, invoice_id: int) -> bool:
    return db.session.scalar(select(InvoiceExport.id).where(
        InvoiceExport.realm_id == realm_id, InvoiceExport.invoice_id == invoice_id,
        InvoiceExport.status.in_([ExportStatus.QUEUED, ExportStatus.SENDING]))) is not None


def _wake_exporter() -> None:
    from flask import current_app

    from services.export import worker

    found = worker.get(current_app._get_current_object())
    if found is not None:
        found.wake()
