"""What the batch page's time panel shows: each visit with its time export state (and why it
cannot be ticked), the counts, and the running job's progress."""
from __future__ import annotations

from dataclasses import dataclass

from models import InvoiceBatch, InvoiceLine
from models.export import ExportStatus
from models.time_export import TimeExport
from services import time_export
from services.export import Progress
from services.time_export.mapping import hours_and_minutes
from services.time_export.visits import batch_visits, load_visit_refs, why_not


@dataclass
class VisitRow:
    line: InvoiceLine
    record: TimeExport | None
    reason: str          # why it cannot be exported now ("" when it can)
    url: str = ""

    @property
    def status(self) -> str:
        return self.record.status.value if self.record else ("ready" if not self.reason else "blocked")

    @property
    def selectable(self) -> bool:
        """A checkbox only where caregiver and client are both matched, and not sent already."""
        return not self.reason and (self.record is None or self.record.status == ExportStatus.FAILED)

    @property
    def duration(self) -> str:
        hours, minutes = hours_and_minutes(self.line.quantity)
        return f"{hours} h {minutes:02d} min"


@dataclass
class TimeView:
    rows: list[VisitRow]
    progress: Progress | None
    connected: bool

    @property
    def running(self) -> bool:
        return bool(self.progress) and not self.progress.done

    @property
    def exported_count(self) -> int:
        return sum(1 for r in self.rows if r.status == "exported")

    @property
    def selectable_ids(self) -> list[int]:
        return [r.line.id for r in self.rows if r.selectable]


def time_view(batch: InvoiceBatch, realm_id: str | None) -> TimeView:
    visits = batch_visits(batch.id)
    if not realm_id:
        return TimeView([VisitRow(v, None, "QuickBooks is not connected") for v in visits], None, False)
    refs = load_visit_refs(realm_id, visits)
    records = time_export.states_for(realm_id, [v.id for v in visits])
    rows = []
    for visit in visits:
        record = records.get(visit.id)
        row = VisitRow(visit, record, why_not(visit, refs))
        if record is not None and record.qbo_id:
            row.url = time_export.time_activity_url(record.qbo_id)
        rows.append(row)
    job = time_export.latest_job(batch.id)
    return TimeView(rows, time_export.progress(job) if job else None, True)
