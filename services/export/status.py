"""What the billing pages show about exports: per-invoice state (eligible, checked total, in
QuickBooks with a link, failed with the reason) and the batch's progress. No `request` here.

`batch_export_view` is the batch page (it maps every eligible invoice to check its QBO total);
`progress_view` is what the page polls every second while an export runs: export states and
counts only, never a mapping."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models import Invoice, InvoiceBatch
from models._types import to_cents
from models.export import ExportJob, ExportStatus, InvoiceExport
from services import export as export_service
from services.export import audit
from services.export.client import invoice_url
from services.export.prepare import eligibility, load_lines, load_refs, map_one
from services.qbo_connection import current_realm
from services.mapping.invoice import MappingError, TaxSetupMissing
from services.sync_settings import settings_for


@dataclass
class RowState:
    invoice_id: int
    eligible: bool = False
    reason: str = ""
    needs_matching: bool = False
    needs_tax_code: bool = False   # the company's tax settings need Sync Settings (issue 13)
    record: InvoiceExport | None = None
    qbo_total: Decimal | None = None
    agency_ex_tax: Decimal | None = None
    url: str | None = None

    @property
    def status(self) -> str:
        if self.record is not None:
            return self.record.status.value
        return "ready" if self.eligible else "blocked"

    @property
    def selectable(self) -> bool:
        """A checkbox: eligible, and not already in QuickBooks or on its way."""
        return self.eligible and (self.record is None)

    @property
    def total_ok(self) -> bool:
        return self.qbo_total is not None and self.qbo_total == self.agency_ex_tax


@dataclass
class BatchProgress:
    job: ExportJob | None
    total: int = 0
    exported: int = 0
    failed: int = 0
    running: bool = False

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(round(100 * (self.exported + self.failed) / self.total))


@dataclass
class BatchExportView:
    batch: InvoiceBatch
    connected: bool
    rows: dict[int, RowState] = field(default_factory=dict)
    progress: BatchProgress | None = None

    @property
    def selectable_count(self) -> int:
        return sum(1 for r in self.rows.values() if r.selectable)

    @property
    def exported_count(self) -> int:
        return sum(1 for r in self.rows.values() if r.status == "exported")


def batch_export_view(batch: InvoiceBatch, invoices: list[Invoice]) -> BatchExportView:
    realm_id = current_realm()
    view = BatchExportView(batch=batch, connected=bool(realm_id))
    settings = settings_for(realm_id) if realm_id else None
    refs = load_refs(realm_id, settings, [i.client_id for i in invoices]) if realm_id else None
    allowed = eligibility(invoices, realm_id, settings, refs.customers if refs else None)
    states = export_service.states_for(realm_id, [i.id for i in invoices])
    if realm_id and batch.is_finalized:
        # The rows below map every eligible, not-yet-exported invoice: its lines come in one query.
        load_lines([i for i in invoices if allowed[i.id].ok and not _exported(states.get(i.id))])
    for invoice in invoices:
        verdict = allowed[invoice.id]
        row = RowState(invoice_id=invoice.id, eligible=verdict.ok, reason=verdict.reason,
                       needs_matching=not verdict.ok and bool(realm_id), record=states.get(invoice.id),
                       agency_ex_tax=to_cents(Decimal(invoice.total) - Decimal(invoice.tax)))
        if _exported(row.record):
            row.qbo_total = row.record.qbo_total
            row.url = invoice_url(row.record.qbo_id)
        elif row.eligible and batch.is_finalized:
            try:  # the same mapping and total check the exporter runs before sending
                row.qbo_total = map_one(invoice, realm_id, settings, refs).qbo_total
            except MappingError as error:
                row.eligible, row.reason, row.needs_matching = False, str(error), False
                row.needs_tax_code = isinstance(error, TaxSetupMissing)
        view.rows[invoice.id] = row
    view.progress = batch_progress(batch, list(states.values()))
    return view


@dataclass(frozen=True)
class InvoiceRef:
    id: int
    number: str


@dataclass
class ProgressView:
    """The progress poll's answer: the progress box and the cells of invoices that have an export
    record (the others cannot have changed since the page was drawn)."""
    progress: BatchProgress
    rows: dict[int, RowState]
    refs: dict[int, InvoiceRef]
    exported_count: int
    invoice_count: int


def progress_view(batch: InvoiceBatch) -> ProgressView:
    realm_id = current_realm()
    refs = {i: InvoiceRef(i, number) for i, number in db.session.execute(
        select(Invoice.id, Invoice.number).where(Invoice.batch_id == batch.id))}
    states = export_service.states_for(realm_id, list(refs))
    rows = {}
    for invoice_id, record in states.items():
        row = rows[invoice_id] = RowState(invoice_id=invoice_id, record=record)
        if _exported(record):
            row.qbo_total, row.url = record.qbo_total, invoice_url(record.qbo_id)
    exported = sum(1 for row in rows.values() if row.status == "exported")
    return ProgressView(batch_progress(batch, list(states.values())), rows, refs, exported, len(refs))


def _exported(record: InvoiceExport | None) -> bool:
    return record is not None and record.status == ExportStatus.EXPORTED


def batch_progress(batch: InvoiceBatch, records: list[InvoiceExport] | None = None) -> BatchProgress:
    job = export_service.latest_job(batch.id)
    if records is None:
        realm_id = current_realm()
        ids = list(db.session.scalars(select(Invoice.id).where(Invoice.batch_id == batch.id)))
        records = list(export_service.states_for(realm_id, ids).values())
    running = any(r.status in (ExportStatus.QUEUED, ExportStatus.SENDING) for r in records)
    progress = BatchProgress(job=job, running=running)
    if job is not None:
        p = export_service.progress(job)
        progress.total, progress.exported, progress.failed = p.total, p.exported, p.failed
    return progress


def exported_counts_for(rows) -> dict[int, int]:
    """For the batches list: batch id → invoices in QuickBooks."""
    return export_service.exported_counts(current_realm(), [r.batch.id for r in rows])


def history(invoice_id: int):
    return audit.history_of(invoice_id)
