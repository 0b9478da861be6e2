"""What the pages show about corrections: the invoice page's panel (revisions, the QuickBooks
writes and what may be pressed next) and the batch page's export runs with their Undo."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import func, select

from extensions import db
from models.corrections import ActionKind, ActionStatus, InvoiceAction, InvoiceRevision
from models.export import ExportJob, ExportStatus, InvoiceExport
from services.corrections import revisions


@dataclass
class Panel:
    record: InvoiceExport | None
    history: list[InvoiceRevision] = field(default_factory=list)
    actions: list[InvoiceAction] = field(default_factory=list)   # newest first

    @property
    def latest(self) -> InvoiceRevision | None:
        return self.history[-1] if self.history else None

    @property
    def in_quickbooks(self) -> bool:
        return self.record is not None and not self._removed

    @property
    def _removed(self) -> bool:
        return any(a.kind != ActionKind.UPDATE and a.status == ActionStatus.DONE
                   and a.qbo_id == (self.record.qbo_id if self.record else None) for a in self.actions)

    @property
    def update_pending(self) -> bool:
        """The newest revision is not in QuickBooks yet."""
        latest = self.latest
        return latest is not None and self.in_quickbooks and not any(
            a.kind == ActionKind.UPDATE and a.revision_id == latest.id and a.status == ActionStatus.DONE
            for a in self.actions)

    @property
    def last(self) -> InvoiceAction | None:
        return self.actions[0] if self.actions else None

    @property
    def conflict(self) -> dict | None:
        last = self.last
        return json.loads(last.conflict) if last is not None and last.conflict else None


def panel_for(realm_id: str | None, invoice_id: int) -> Panel:
    record = revisions.exported_record(realm_id, invoice_id)
    actions = list(db.session.scalars(select(InvoiceAction).where(InvoiceAction.invoice_id == invoice_id)
                                      .order_by(InvoiceAction.updated_at.desc(), InvoiceAction.id.desc())))
    return Panel(record, revisions.history(invoice_id), actions)


@dataclass(frozen=True)
class Run:
    job: ExportJob
    created: int          # its invoices that still name a QuickBooks invoice
    undo: ExportJob | None


def runs_of(batch_id: int, limit: int = 10) -> list[Run]:
    """The batch's export runs, newest first, with how many of their invoices are in QuickBooks."""
    jobs = list(db.session.scalars(select(ExportJob).where(ExportJob.batch_id == batch_id, ExportJob.kind == "export")
                                   .order_by(ExportJob.id.desc()).limit(limit)))
    if not jobs:
        return []
    counts = dict(db.session.execute(select(InvoiceExport.job_id, func.count()).where(
        InvoiceExport.job_id.in_([j.id for j in jobs]), InvoiceExport.status == ExportStatus.EXPORTED)
        .group_by(InvoiceExport.job_id)).all())
    undos = {}
    for undo in db.session.scalars(select(ExportJob).where(ExportJob.undo_of_id.in_([j.id for j in jobs]))
                                   .order_by(ExportJob.id)):
        undos[undo.undo_of_id] = undo
    return [Run(job, counts.get(job.id, 0), undos.get(job.id)) for job in jobs]
