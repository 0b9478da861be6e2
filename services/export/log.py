"""The export log as a person reads it: one row per invoice action (one press of Export or
Retry for one invoice), however many audit events the worker wrote for it, with who started it,
when, and the result in plain words. The raw events (request ids, QuickBooks ids) stay in the row
for a details cell. Plain functions over services/export/audit.py's events."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from extensions import db
from models.export import ExportEvent, ExportJob
from services.export import audit

# result key -> (plain words, badge colour); the key is also the log's "Result" filter value
RESULTS = {
    "exported": ("Created in QuickBooks", "green"),
    "adopted": ("Already in QuickBooks: found there and linked, not sent again", "green"),
    "skipped": ("Not sent again: already in QuickBooks or on its way", "muted"),
    "failed": ("Refused by QuickBooks", "red"),
    "in_progress": ("Waiting to be sent", "blue"),
    # issue 16
    "corrected": ("Corrected in CareLedger (a new revision)", "blue"),
    "updated": ("Updated in QuickBooks", "green"),
    "voided": ("Voided in QuickBooks", "green"),
    "deleted": ("Deleted in QuickBooks", "green"),
    "refused": ("Refused: nothing changed in QuickBooks", "red"),
    "undo_skipped": ("Left alone (a payment settles it, or already gone)", "muted"),
}
FINAL = {"exported": "exported", "adopted": "adopted", "failed": "failed", "skipped": "skipped",
         "corrected": "corrected", "updated": "updated", "voided": "voided",
         "deleted": "deleted", "refused": "refused", "undo_skipped": "undo_skipped"}
# What a row was: the person's action, from its events (issue 16 adds the corrections).
WHATS = ("Export", "Export after preview", "Retry", "Correction", "Update", "Void", "Delete", "Undo export")
_BY_PREFIX = {"Update in QuickBooks": "Update", "Void in QuickBooks": "Void", "Delete in QuickBooks": "Delete"}
EVENT_LIMIT = 5000       # events read for one view of the log (newest first)


@dataclass
class LogRow:
    at: datetime
    invoice: object                  # models.Invoice (with .batch and .client)
    what: str                        # one of WHATS
    who: str
    user_id: int | None
    result: str                      # a key of RESULTS
    problem: str = ""                # QuickBooks' refusal in plain words
    qbo_id: str | None = None
    events: list = field(default_factory=list)   # the raw ExportEvents, oldest first

    @property
    def result_text(self) -> str:
        return RESULTS[self.result][0]

    @property
    def result_colour(self) -> str:
        return RESULTS[self.result][1]

    @property
    def request_ids(self) -> list[str]:
        return sorted({e.request_id for e in self.events if e.request_id})


def _who(events: list[ExportEvent], job: ExportJob | None) -> tuple[str, int | None]:
    """The person who started the action: never the worker that carried it out."""
    for event in events:
        if event.user is not None:
            return event.user.name, event.user.id
    if job is not None and job.requested_by is not None:
        return job.requested_by.name, job.requested_by.id
    if job is not None and job.source == "cli":
        return "Command line (flask qbo export)", None
    starter = next((e.actor for e in events if e.actor and e.actor != "worker"), "")
    return starter or "CareLedger", None


def _what(events: list[ExportEvent], job: ExportJob | None) -> str:
    actions = [e.action for e in events]
    if job is not None and job.kind == "undo":
        return "Undo export"
    if any(e.action == "queued" and "after a preview" in e.detail for e in events):
        return "Export after preview"
    if "corrected" in actions:
        return "Correction"
    for event in events:
        for prefix, what in _BY_PREFIX.items():
            if event.action in audit.CORRECTION_ACTIONS and event.detail.startswith(prefix):
                return what
    return "Retry" if "retried" in actions else "Export"


def _row(events: list[ExportEvent], job: ExportJob | None) -> LogRow:
    final = next((e for e in reversed(events) if e.action in FINAL), None)
    who, user_id = _who(events, job)
    return LogRow(at=events[0].at, invoice=events[0].invoice, what=_what(events, job), who=who, user_id=user_id,
                  result=FINAL[final.action] if final else "in_progress",
                  problem=final.detail if final is not None and final.action in ("failed", "refused") else "",
                  qbo_id=next((e.qbo_id for e in reversed(events) if e.qbo_id), None), events=events)


def _group_key(event: ExportEvent) -> tuple:
    """Events of one person's action: an export (or undo) job's events per invoice; a single
    correction's events share its request id; a revision is one event."""
    if event.job_id:
        return (event.invoice_id, event.job_id)
    if event.request_id and event.action in audit.CORRECTION_ACTIONS:
        return (event.invoice_id, f"r{event.request_id}")
    return (event.invoice_id, f"e{event.id}")


def rows(flt: audit.AuditFilter, *, result: str | None = None, batch_number: str | None = None,
         what: str | None = None, limit: int = 300) -> list[LogRow]:
    """Newest first. `flt` picks the events (offices, dates, invoice, who started it); `result`
    and `batch_number` (part of it) pick among the rows."""
    who = flt.user_id
    events = audit.events(audit.AuditFilter(office_ids=flt.office_ids, invoice_number=flt.invoice_number,
                                            date_from=flt.date_from, date_to=flt.date_to),
                          limit=EVENT_LIMIT)
    groups: dict[tuple, list[ExportEvent]] = {}
    for event in events:                              # newest first: insertion order = row order
        groups.setdefault(_group_key(event), []).append(event)
    job_ids = {key[1] for key in groups if isinstance(key[1], int)}
    jobs = {job.id: job for job in db.session.scalars(
        select(ExportJob).where(ExportJob.id.in_(job_ids)).options(joinedload(ExportJob.requested_by)))}
    found = []
    for (_invoice_id, job_id), group in groups.items():
        row = _row(sorted(group, key=lambda e: (e.at, e.id)), jobs.get(job_id))
        if (result and row.result != result) \
                or (batch_number and batch_number.lower() not in row.invoice.batch.number.lower()) \
                or (who and row.user_id != who) or (what and row.what != what):
            continue
        found.append(row)
        if len(found) >= limit:
            break
    return found
