"""Time data to QuickBooks (issue 17): each visit of a finalized batch becomes one TimeActivity,
exactly once, with the invoice export's guarantees and machinery. The API the pages and the CLI
call; one module per job beside it:

    mapping.py   a visit → the TimeActivity JSON (pure)
    settings.py  the time settings per service type (Sync Settings › Time)
    visits.py    a batch's visits and which may be ticked (caregiver and client both matched)
    ledger.py    queueing (one record per visit and company), the audit trail, job counts
    engine.py    the export engine on the time ledger (lookup of ambiguous sends by marker)
    worker.py    the background worker on the time ledger

    job = start_time_export(user, batch, line_ids)    # returns at once; the worker sends
    progress(job); states_for(realm_id, line_ids)
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import InvoiceBatch
from models._types import utcnow
from models.export import JobStatus
from models.time_export import TimeExport, TimeExportJob
from services.export import ExportRefused, Progress
from services.qbo_connection import current_realm
from services.time_export import ledger
from services.time_export.visits import batch_visits, load_visit_refs, why_not


def start_time_export(user, batch: InvoiceBatch, line_ids, *, source: str = "web",
                      realm_id: str | None = None, actor: str | None = None) -> TimeExportJob:
    """Queue the chosen visits of `batch` (only those that may be exported) as one job and wake
    the worker. Safe to call twice at once: the unique record per visit queues each only once."""
    realm_id = realm_id or current_realm()
    if not realm_id:
        raise ExportRefused("QuickBooks is not connected.")
    if not batch.is_finalized:
        raise ExportRefused("Only finalized batches can be exported.")
    wanted = {int(i) for i in line_ids}
    visits = [line for line in batch_visits(batch.id) if line.id in wanted]
    refs = load_visit_refs(realm_id, visits)
    chosen = [line.id for line in visits if not why_not(line, refs)]
    user_id = getattr(user, "id", None)
    actor = actor or getattr(user, "name", None) or source
    job = TimeExportJob(realm_id=realm_id, batch_id=batch.id, requested_by_id=user_id, source=source,
                        selected=len(visits))
    db.session.add(job)
    db.session.flush()
    outcome = ledger.queue_visits(realm_id, job, chosen, user_id)
    job.queued = len(outcome.queued)
    for line_id in outcome.queued:
        ledger.record_event(realm_id, "queued", line_id=line_id, job_id=job.id, user_id=user_id,
                            actor=actor, detail=f"batch {batch.number}")
    for line_id in outcome.already:
        ledger.record_event(realm_id, "skipped", line_id=line_id, job_id=job.id, user_id=user_id,
                            actor=actor)
    if not outcome.queued:
        job.status, job.finished_at = JobStatus.DONE, utcnow()
        job.message = "Nothing new to export: the chosen visits are already in QuickBooks or on their way."
    db.session.commit()
    _wake_worker()
    return job


def _wake_worker() -> None:
    from services.time_export import worker

    found = worker.get(current_app._get_current_object())
    if found is not None:
        found.wake()


def progress(job: TimeExportJob) -> Progress:
    counts = ledger.job_counts(job.id)
    return Progress(job=job, total=sum(counts.values()), exported=counts["exported"],
                    failed=counts["failed"], waiting=counts["queued"] + counts["sending"])


def latest_job(batch_id: int) -> TimeExportJob | None:
    return db.session.scalar(select(TimeExportJob).where(TimeExportJob.batch_id == batch_id)
                             .order_by(TimeExportJob.id.desc()).limit(1))


def states_for(realm_id: str | None, line_ids) -> dict[int, TimeExport]:
    if not realm_id:
        return {}
    return {row.line_id: row for row in db.session.scalars(select(TimeExport).where(
        TimeExport.realm_id == realm_id, TimeExport.line_id.in_(list(line_ids))))}


def time_activity_url(qbo_id: str, app=None) -> str:
    """Where a person sees the time activity in QuickBooks (the local sandbox's page, or Intuit's)."""
    app = app or current_app._get_current_object()
    base = (app.config.get("QBO_WEB_BASE_URL") or "https://app.qbo.intuit.com/app").rstrip("/")
    return f"{base}/timeactivity?txnId={qbo_id}"
