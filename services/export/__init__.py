"""Export of finalized invoices to QuickBooks Online (issue #7): the service API the pages and the
CLI call. The engine (engine.py), claims and leases (records.py), pacing (pacing.py), the worker
threads (worker.py) and the audit trail (audit.py) live beside it.

    job = start_export(user, batch, invoice_ids)       # returns at once; the worker sends
    progress(job)                                      # for the progress bar
    states_for(realm_id, invoice_ids)                  # per-invoice export records
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import Invoice, InvoiceBatch
from models._types import utcnow
from models.export import ExportJob, ExportStatus, InvoiceExport, JobStatus
from services.export import audit, records
from services.qbo_connection import current_realm


class ExportRefused(Exception):
    """Nothing can be exported (not connected, batch not finalized, …); message is for people."""


def start_export(user, batch: InvoiceBatch, invoice_ids: list[int], *, source: str = "web",
                 realm_id: str | None = None, actor: str | None = None, note: str = "") -> ExportJob:
    """Queue the chosen invoices of `batch` (only eligible ones) as one job, and wake the worker.

    Safe to call twice at once for the same invoices (double click, two browsers): the unique
    export record per invoice means the second call queues nothing and sends nothing. `note` is
    added to the audit (e.g. ", after a preview").
    """
    from services.export.prepare import eligibility

    realm_id = realm_id or current_realm()
    if not realm_id:
        raise ExportRefused("QuickBooks is not connected.")
    if not batch.is_finalized:
        raise ExportRefused("Only finalized batches can be exported.")
    wanted = set(int(i) for i in invoice_ids)
    invoices = [i for i in db.session.scalars(select(Invoice).where(Invoice.batch_id == batch.id))
                if i.id in wanted]
    allowed = eligibility(invoices, realm_id)
    chosen = [i for i in invoices if allowed[i.id].ok]
    user_id = getattr(user, "id", None)
    actor = actor or getattr(user, "name", None) or source
    job = ExportJob(realm_id=realm_id, batch_id=batch.id, requested_by_id=user_id, source=source,
                    selected=len(invoices))
    db.session.add(job)
    db.session.flush()
    outcome = records.queue_invoices(realm_id, job, [(i.id, i.number) for i in chosen], user_id)
    job.queued = len(outcome.queued)
    by_id = {i.id: i for i in chosen}
    audit.record_many(realm_id, "queued", outcome.queued, job_id=job.id, user_id=user_id, actor=actor,
                      detail=f"batch {batch.number}{note}")
    for invoice_id in outcome.already:
        audit.record(realm_id, "skipped", invoice_id=invoice_id, job_id=job.id, user_id=user_id,
                     actor=actor, detail=f"invoice {by_id[invoice_id].number}")
    if not outcome.queued:
        job.status = JobStatus.DONE
        job.finished_at = utcnow()
        job.message = "Nothing new to export: the chosen invoices are already exported or in progress."
    db.session.commit()
    _wake_worker()
    return job


def _wake_worker() -> None:
    from services.export import worker

    found = worker.get(current_app._get_current_object())
    if found is not None:
        found.wake()


@dataclass(frozen=True)
class Progress:
    job: ExportJob
    total: int
    exported: int
    failed: int
    waiting: int  # queued or sending

    @property
    def done(self) -> bool:
        return self.job.status != JobStatus.RUNNING or self.waiting == 0

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(round(100 * (self.exported + self.failed) / self.total))


def progress(job: ExportJob) -> Progress:
    counts = records.job_counts(job.id)
    waiting = counts["queued"] + counts["sending"]
    return Progress(job=job, total=sum(counts.values()), exported=counts["exported"],
                    failed=counts["failed"], waiting=waiting)


def latest_job(batch_id: int) -> ExportJob | None:
    return db.session.scalar(select(ExportJob).where(ExportJob.batch_id == batch_id)
                             .order_by(ExportJob.id.desc()).limit(1))


def states_for(realm_id: str | None, invoice_ids) -> dict[int, InvoiceExport]:
    if not realm_id:
        return {}
    rows = db.session.scalars(select(InvoiceExport).where(
        InvoiceExport.realm_id == realm_id, InvoiceExport.invoice_id.in_(list(invoice_ids))))
    return {row.invoice_id: row for row in rows}


def exported_counts(realm_id: str | None, batch_ids) -> dict[int, int]:
    """Per batch: how many of its invoices are in QuickBooks (for the batches list)."""
    from sqlalchemy import func

    if not realm_id:
        return {}
    rows = db.session.execute(
        select(Invoice.batch_id, func.count(InvoiceExport.id))
        .join(InvoiceExport, InvoiceExport.invoice_id == Invoice.id)
        .where(InvoiceExport.realm_id == realm_id, InvoiceExport.status == ExportStatus.EXPORTED,
               Invoice.batch_id.in_(list(batch_ids)))
        .group_by(Invoice.batch_id)).all()
    return {batch_id: n for batch_id, n in rows}
