"""The time export ledger: queueing visits (at most one record per visit and company), the
audit trail, and the counts of a job. Claims, leases and fenced writes are the invoice ledger's
own (services/export/records.py) on the time_exports table.
"""
from __future__ import annotations

from extensions import db
from models.time_export import TimeExport, TimeExportEvent, TimeExportJob
from services.export import records
from services.export.records import QueueOutcome

ACTIONS = {
    "queued": "Queued for export", "skipped": "Already in QuickBooks or in progress (nothing sent)",
    "sent": "Sent to QuickBooks", "exported": "Created in QuickBooks",
    "adopted": "Found already in QuickBooks (adopted)", "failed": "Refused",
    "retried": "Queued again (Retry)", "paused": "Paused",
}


def record_event(realm_id: str, action: str, *, line_id: int | None = None, job_id: int | None = None,
                 user_id: int | None = None, actor: str = "", request_id: str | None = None,
                 qbo_id: str | None = None, detail: str = "") -> None:
    """Add an event to the session (the caller's commit makes it durable with the change)."""
    assert action in ACTIONS, action
    db.session.add(TimeExportEvent(realm_id=realm_id, action=action, line_id=line_id, job_id=job_id,
                                   user_id=user_id, actor=actor[:120], request_id=request_id,
                                   qbo_id=qbo_id, detail=detail))


def queue_visits(realm_id: str, job: TimeExportJob, line_ids: list[int], user_id: int | None) -> QueueOutcome:
    """Create (or re-queue failed) records for these visits. Caller commits. A record that exists
    and is not failed is left alone: two presses at once end with one record and one send."""
    return records.queue_records(TimeExport, "line_id", realm_id, job.id, {i: {} for i in line_ids}, user_id)


def job_counts(job_id: int) -> dict[str, int]:
    return records.job_counts(job_id, TimeExport)


def close_finished_jobs() -> None:
    records.close_finished_jobs(TimeExportJob, TimeExport)
