"""The corrections API the pages and the CLI call.

    action = update_in_quickbooks(user, invoice)   # the newest revision → the same QBO invoice
    action = void_in_quickbooks(user, invoice)
    job = start_undo(user, export_job)             # background: the worker voids/deletes
    undo_progress(job)

Update and Void of one invoice run in the request (a person waits for the answer), through the
same ledger, claim and engine as Undo's background work: a double click finds the first click's
action (UNIQUE dedupe key) instead of sending twice, and an action left "sending" by a process
that died is taken over once its lease expires, looked up first.
"""
from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import Invoice
from models._types import utcnow
from models.corrections import (ActionKind, ActionStatus, CorrectionSettings, InvoiceAction, UndoMode)
from models.export import ExportJob, ExportStatus, InvoiceExport, JobStatus
from services.corrections import ledger, revisions
from services.corrections.revisions import CorrectionRefused
from services.export import audit
from services.qbo_connection import current_realm


def _owner(tag: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{tag}-{uuid.uuid4().hex[:8]}"[:64]


def undo_mode(realm_id: str | None) -> UndoMode:
    row = db.session.get(CorrectionSettings, realm_id) if realm_id else None
    return row.undo_mode if row is not None else UndoMode.VOID


def set_undo_mode(realm_id: str, mode: str, user) -> UndoMode:
    try:
        chosen = UndoMode(mode)
    except ValueError:
        raise CorrectionRefused("Choose Void or Delete.") from None
    row = db.session.get(CorrectionSettings, realm_id) or CorrectionSettings(realm_id=realm_id)
    row.undo_mode, row.updated_by_id = chosen, getattr(user, "id", None)
    db.session.add(row)
    db.session.commit()
    return chosen


def _paid_in_qbo(realm_id: str, invoice_ids) -> dict[int, str]:
    """Invoices the change feed last saw paid or part-paid (invoice id → the words)."""
    from services.payments.statuses import QboState, statuses_for

    return {invoice_id: status.title for invoice_id, status in statuses_for(realm_id, invoice_ids).items()
            if status.state in (QboState.PAID, QboState.PARTIAL)}


def _run_now(action_id: int):
    """Carry one action to QuickBooks in this request, with the engine the worker uses."""
    from services.corrections.engine import CorrectionsEngine
    from services.export.client import make_client
    from services.export.pacing import pacing_from_config
    from services.export.shared_pacing import SharedPacers
    from services.export.worker import options_from_config

    app = current_app._get_current_object()
    realm_id = db.session.get(InvoiceAction, action_id).realm_id
    owner = _owner("web")
    options = options_from_config(app.config)
    if not ledger.claim(realm_id, owner, options.lease_seconds, ids=[action_id]):
        return  # another request (the first of a double click) is carrying it
    engine = CorrectionsEngine(lambda: make_client(app), SharedPacers(**pacing_from_config(app.config)).for_realm,
                               owner, options)
    engine.run_group(make_client(app), [action_id])


def _single(user, invoice: Invoice, kind: ActionKind, revision_id: int | None = None) -> InvoiceAction:
    realm_id = current_realm()
    record = revisions.exported_record(realm_id, invoice.id)
    if record is None:
        raise CorrectionRefused(f"Invoice {invoice.number} is not in QuickBooks.")
    key = ledger.dedupe_key(kind, record.qbo_id, revision_id)
    found = ledger.by_key(key)
    if found is not None and found.status == ActionStatus.DONE:
        return found
    if kind != ActionKind.UPDATE:
        paid = _paid_in_qbo(realm_id, [invoice.id])
        if invoice.id in paid:
            raise CorrectionRefused(f"Invoice {invoice.number} was not voided: {paid[invoice.id]}. Void the "
                                    "payment in QuickBooks first. Nothing changed.")
    queued = ledger.queue(realm_id, [dict(dedupe_key=key, kind=kind, invoice_id=invoice.id, export_id=record.id,
                                          revision_id=revision_id, qbo_id=record.qbo_id,
                                          requested_by_id=getattr(user, "id", None))])
    db.session.commit()
    action = ledger.by_key(key)
    if action.status in (ActionStatus.QUEUED, ActionStatus.SENDING):
        _run_now(action.id)
    db.session.expire_all()
    return db.session.get(InvoiceAction, action.id)


def update_in_quickbooks(user, invoice: Invoice) -> InvoiceAction:
    """Send the newest revision's lines to the invoice's QuickBooks invoice (same Id, DocNumber,
    line Ids). Raises CorrectionRefused when there is nothing to send."""
    revision = revisions.latest(invoice.id)
    if revision is None:
        raise CorrectionRefused(f"Invoice {invoice.number} has no correction to send; correct it first.")
    return _single(user, invoice, ActionKind.UPDATE, revision.id)


def void_in_quickbooks(user, invoice: Invoice) -> InvoiceAction:
    return _single(user, invoice, ActionKind.VOID)


@dataclass(frozen=True)
class UndoStart:
    job: ExportJob
    queued: int
    left_alone: int
    message: str


def undoable(job: ExportJob) -> list[InvoiceExport]:
    """The export records this run created that still name their QuickBooks invoice."""
    return list(db.session.scalars(select(InvoiceExport).where(
        InvoiceExport.job_id == job.id, InvoiceExport.realm_id == job.realm_id,
        InvoiceExport.status == ExportStatus.EXPORTED, InvoiceExport.qbo_id.is_not(None))))


def undo_of(job: ExportJob) -> ExportJob | None:
    return db.session.scalar(select(ExportJob).where(ExportJob.undo_of_id == job.id, ExportJob.kind == "undo")
                             .order_by(ExportJob.id.desc()).limit(1))


def start_undo(user, job: ExportJob, source: str = "web") -> UndoStart:
    """Queue the void (or delete, per the company's setting) of every invoice `job` created that has
    no payment; the worker carries them out. A second press joins the first undo."""
    if job.kind != "export":
        raise CorrectionRefused("Only an export run can be undone.")
    if job.status == JobStatus.RUNNING:
        raise CorrectionRefused("This export is still running; undo it once it has finished.")
    earlier = undo_of(job)
    if earlier is not None and earlier.status == JobStatus.RUNNING:
        return UndoStart(earlier, 0, 0, "Undo of this export is already under way.")
    mode = undo_mode(job.realm_id)
    kind = ActionKind.VOID if mode == UndoMode.VOID else ActionKind.DELETE
    candidates = undoable(job)
    paid = _paid_in_qbo(job.realm_id, [r.invoice_id for r in candidates])
    user_id = getattr(user, "id", None)
    undo = ExportJob(realm_id=job.realm_id, batch_id=job.batch_id, requested_by_id=user_id, source=source,
                     kind="undo", undo_of_id=job.id, selected=len(candidates))
    db.session.add(undo)
    db.session.flush()
    rows = [dict(dedupe_key=ledger.dedupe_key(kind, r.qbo_id), kind=kind, invoice_id=r.invoice_id, export_id=r.id,
                 qbo_id=r.qbo_id, job_id=undo.id, requested_by_id=user_id)
            for r in candidates if r.invoice_id not in paid]
    queued = ledger.queue(job.realm_id, rows, retry_refused=False)
    undo.queued = len(queued)
    actor = getattr(user, "name", "") or source
    for record in candidates:
        if record.invoice_id in paid:
            audit.record(job.realm_id, "undo_skipped", invoice_id=record.invoice_id, job_id=undo.id, user_id=user_id,
                         actor=actor, qbo_id=record.qbo_id, detail=f"left alone: {paid[record.invoice_id]}")
    audit.record(job.realm_id, "undo", job_id=undo.id, user_id=user_id, actor=actor,
                 detail=f"undo of export run {job.id}: {len(queued)} to {kind.value}, {len(paid)} paid left alone")
    if not queued:
        undo.status, undo.finished_at = JobStatus.DONE, utcnow()
    undo.message = (f"{len(queued)} invoice(s) to {kind.value} in QuickBooks; {len(paid)} with a payment left alone.")
    db.session.commit()
    _wake_worker()
    return UndoStart(undo, len(queued), len(paid), undo.message)


@dataclass(frozen=True)
class UndoProgress:
    job: ExportJob
    counts: dict

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def finished(self) -> int:
        return self.total - self.counts["queued"] - self.counts["sending"]

    @property
    def running(self) -> bool:
        return self.job.status == JobStatus.RUNNING and self.finished < self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(round(100 * self.finished / self.total))


def undo_progress(job: ExportJob) -> UndoProgress:
    return UndoProgress(job, ledger.job_counts(job.id))


close_finished_undo_jobs = ledger.close_finished_undo_jobs


def _wake_worker() -> None:
    from services.export import worker

    found = worker.get(current_app._get_current_object())
    if found is not None:
        found.wake()
