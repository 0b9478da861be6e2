"""What the billing pages show about exports: per-invoice state (eligible, checked total, in
QuickBooks with a link, failed with the reason), the batch's counts and its progress. No
`request` here.

`batch_view` is the batch page: every invoice of the batch as a light row (tuples, never the ORM
graph; kept per finalized batch), the mapping check from `batch_cache` (computed once per batch
and settings version),
then one page of rows to draw. Counts and "select all eligible" cover the whole batch.
`progress_view` is what the page polls every second while an export runs: export states and
counts, and only the rows whose export record changed since the last poll.

Export records are read for the company last connected even while disconnected: what IS in
QuickBooks stays true when the connection is not.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from extensions import db
from models import Client, Invoice, InvoiceBatch, InvoiceLine, LineKind, Payer
from models._types import to_cents, utcnow
from models.export import ExportJob, ExportStatus, InvoiceExport
from services import export as export_service
from services.export import audit, batch_cache
from services.export.client import invoice_url
from services.pagination import Page
from services.qbo_connection import current_realm

# Row groups, in the order the page offers them as filters.
GROUPS = {"ready": "Ready to export", "blocked": "Cannot be exported", "waiting": "Queued or sending",
          "failed": "Failed", "exported": "In QuickBooks"}
POLL_OVERLAP = timedelta(seconds=3)  # re-send rows changed this long before the last poll (commit lag)


@dataclass(frozen=True)
class InvoiceLite:
    id: int
    number: str
    client_id: int
    payer_id: int | None
    period_start: object
    period_end: object
    subtotal: Decimal
    tax: Decimal

    @property
    def total(self) -> Decimal:
        return to_cents(self.subtotal + self.tax)


@dataclass(frozen=True)
class RecordLite:
    invoice_id: int
    status: str
    qbo_id: str | None
    qbo_total: Decimal | None
    adopted: bool
    last_error: str | None
    doc_number: str
    updated_at: datetime | None
    invoice_number: str = ""
    error_code: str | None = None


@dataclass
class RowState:
    invoice: InvoiceLite
    eligible: bool = False
    reason: str = ""
    needs_matching: bool = False
    needs_tax_code: bool = False   # the company's tax settings need Sync Settings (issue 13)
    record: RecordLite | None = None
    qbo_total: Decimal | None = None
    url: str | None = None
    qbo_status: object | None = None  # what became of it in QuickBooks (with_qbo_statuses)

    @property
    def status(self) -> str:
        if self.record is not None:
            return self.record.status
        return "ready" if self.eligible else "blocked"

    @property
    def group(self) -> str:
        return {"queued": "waiting", "sending": "waiting"}.get(self.status, self.status)

    @property
    def selectable(self) -> bool:
        """A checkbox: eligible, and not already in QuickBooks or on its way."""
        return self.eligible and self.record is None

    @property
    def total_ok(self) -> bool:
        return self.qbo_total is not None and self.qbo_total == to_cents(self.invoice.subtotal)


@dataclass
class BatchProgress:
    job: ExportJob | None
    total: int = 0
    exported: int = 0
    failed: int = 0
    running: bool = False
    in_qbo: int = 0        # invoices of the batch in QuickBooks (any job)
    invoice_count: int = 0

    @property
    def percent(self) -> int:
        """While running: the job's share done. Otherwise: the batch's share in QuickBooks."""
        if self.running:
            return 100 if not self.total else int(round(100 * (self.exported + self.failed) / self.total))
        return 0 if not self.invoice_count else int(round(100 * self.in_qbo / self.invoice_count))


@dataclass
class BatchView:
    batch: InvoiceBatch
    connected: bool
    rows: list[RowState]                      # the whole batch, in invoice-number order
    progress: BatchProgress | None = None
    counts: dict[str, int] = field(default_factory=dict)
    polled_at: datetime | None = None          # when the export records were read

    @property
    def invoice_count(self) -> int:
        return len(self.rows)

    @property
    def selectable_ids(self) -> list[int]:
        return [r.invoice.id for r in self.rows if r.selectable]

    @property
    def selectable_count(self) -> int:
        return self.counts.get("ready", 0)

    @property
    def exported_count(self) -> int:
        return self.counts.get("exported", 0)

    def totals(self) -> dict:
        subtotal = sum((r.invoice.subtotal for r in self.rows), Decimal("0"))
        tax = sum((r.invoice.tax for r in self.rows), Decimal("0"))
        return {"subtotal": to_cents(subtotal), "tax": to_cents(tax), "total": to_cents(subtotal + tax)}

    def page(self, number: int, size: int, group: str | None = None) -> Page:
        chosen = [r for r in self.rows if group is None or r.group == group]
        pages = max(1, -(-len(chosen) // size))
        number = min(max(1, number), pages)
        return Page(items=chosen[(number - 1) * size: number * size], number=number, size=size,
                    total=len(chosen))


# ---------------------------------------------------------------------------------------------
# Loading (a fixed number of statements, whatever the batch's size)


def batch_invoices(batch_id: int) -> list[InvoiceLite]:
    """Every invoice of the batch with its amount and tax (summed in SQL), as plain rows: one
    statement. Nothing here changes once the batch is finalized (names are read per page)."""
    sums = (select(InvoiceLine.invoice_id.label("invoice_id"),
                   func.sum(InvoiceLine.amount).filter(InvoiceLine.kind != LineKind.TAX).label("subtotal"),
                   func.sum(InvoiceLine.amount).filter(InvoiceLine.kind == LineKind.TAX).label("tax"))
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id).where(Invoice.batch_id == batch_id)
            .group_by(InvoiceLine.invoice_id).subquery())
    rows = db.session.execute(
        select(Invoice.id, Invoice.number, Invoice.client_id, Invoice.payer_id, Invoice.period_start,
               Invoice.period_end, sums.c.subtotal, sums.c.tax)
        .outerjoin(sums, sums.c.invoice_id == Invoice.id)
        .where(Invoice.batch_id == batch_id).order_by(Invoice.number))
    return [InvoiceLite(id=r[0], number=r[1], client_id=r[2], payer_id=r[3], period_start=r[4],
                        period_end=r[5], subtotal=to_cents(Decimal(r[6] or 0)), tax=to_cents(Decimal(r[7] or 0)))
            for r in rows]


def names_for(rows: list[RowState]) -> dict[int, tuple[str, str | None]]:
    """Invoice id → (client "Last, First", payer name or None) for the rows drawn: one statement."""
    if not rows:
        return {}
    found = db.session.execute(
        select(Invoice.id, Client.last_name, Client.first_name, Payer.name)
        .join(Client, Client.id == Invoice.client_id).outerjoin(Payer, Payer.id == Invoice.payer_id)
        .where(Invoice.id.in_([r.invoice.id for r in rows])))
    return {i: (f"{last}, {first}", payer) for i, last, first, payer in found}


_RECORD_COLUMNS = (InvoiceExport.invoice_id, InvoiceExport.status, InvoiceExport.qbo_id, InvoiceExport.qbo_total,
                   InvoiceExport.adopted, InvoiceExport.last_error, InvoiceExport.doc_number,
                   InvoiceExport.updated_at, Invoice.number, InvoiceExport.error_code)


_STATUS_VALUES = {status: status.value for status in ExportStatus}


def batch_records(realm_id: str | None, batch_id: int, since: datetime | None = None,
                  only_ids: set[int] | None = None) -> dict[int, RecordLite]:
    """The batch's export records in `realm_id` (those updated since `since`, when given)."""
    if not realm_id:
        return {}
    statement = (select(*_RECORD_COLUMNS).join(Invoice, Invoice.id == InvoiceExport.invoice_id)
                 .where(InvoiceExport.realm_id == realm_id, Invoice.batch_id == batch_id))
    if since is not None:
        statement = statement.where(InvoiceExport.updated_at >= since)
    found = {}
    for r in db.session.execute(statement):
        if only_ids is None or r[0] in only_ids:
            status = _STATUS_VALUES.get(r[1]) or str(r[1])
            found[r[0]] = RecordLite(r[0], status, r[2], r[3], bool(r[4]), r[5], r[6] or "", r[7], r[8], r[9])
    return found


def _row(invoice: InvoiceLite, record: RecordLite | None) -> RowState:
    row = RowState(invoice=invoice, record=record)
    if record is not None and record.status == "exported":
        row.qbo_total, row.url = record.qbo_total, invoice_url(record.qbo_id)
    return row


def batch_view(batch: InvoiceBatch) -> BatchView:
    """The whole finalized batch: eligibility and mapping check per invoice, export states, counts.
    Rebuilt only when the mapping's inputs or the batch's export records have changed."""
    from services.export.prepare import customer_link_rows, eligibility, load_refs, refs_from_link_rows
    from services.sync_settings import settings_for

    if not batch.is_finalized:  # a draft: its invoices only
        return BatchView(batch=batch, connected=False, rows=[RowState(invoice=i) for i in batch_invoices(batch.id)])
    invoices = batch_cache.invoice_rows(batch, lambda: batch_invoices(batch.id))
    realm_id = current_realm()
    known_realm = realm_id or current_realm(connected=False)
    polled_at = utcnow()  # before the records are read: the poll's cursor errs towards re-sending
    settings = light_refs = links = None
    if realm_id:
        settings = settings_for(realm_id)
        # The batch's customer links go into the key as read (plain tuples); the refs built
        # from them are needed only when the rows are built again.
        links = customer_link_rows(realm_id, select(Invoice.client_id).where(Invoice.batch_id == batch.id))
        light_refs = load_refs(realm_id, settings, (), customers={})
        key = batch_cache.version_key(batch, realm_id, settings, light_refs) + (links,)
    else:
        key = batch_cache.batch_identity(batch) + ("disconnected", known_realm)

    def build():
        records = batch_records(known_realm, batch.id)
        rows = [_row(invoice, records.get(invoice.id)) for invoice in invoices]
        if realm_id:
            refs = replace(light_refs, customers=refs_from_link_rows(links))
            _judge(rows, batch, realm_id, settings, refs, key, eligibility)
        else:
            for row in rows:
                row.reason = "QuickBooks is not connected"
        counts = {group: 0 for group in GROUPS}
        for row in rows:
            counts[row.group] += 1
        return rows, counts

    rows, counts = batch_cache.view_rows(key + records_version(known_realm, batch.id), build)
    view = BatchView(batch=batch, connected=bool(realm_id), rows=rows, counts=counts, polled_at=polled_at)
    view.progress = batch_progress(batch, counts, len(rows))
    return view


def with_qbo_statuses(rows: list[RowState]) -> list[RowState]:
    """Fill what became of the drawn rows' invoices in QuickBooks — Paid, Deleted, … — from the
    change checks' local copy (services/payments): a fixed few statements, only for exported rows."""
    from services.payments.statuses import statuses_for

    exported = [row.invoice.id for row in rows if row.status == "exported"]
    if exported:
        found = statuses_for(current_realm(connected=False), exported)
        for row in rows:
            row.qbo_status = found.get(row.invoice.id)
    return rows


def _judge(rows: list[RowState], batch, realm_id, settings, refs, key, eligibility) -> None:
    """Eligibility (bill-to customer linked) and the mapping check, onto each row."""
    allowed = eligibility([r.invoice for r in rows], realm_id, settings, refs.customers)
    checks = batch_cache.checks_for(batch, realm_id, settings, refs,
                                    [r.invoice.id for r in rows if allowed[r.invoice.id].ok], key=key)
    for row in rows:
        verdict = allowed[row.invoice.id]
        row.eligible, row.reason, row.needs_matching = verdict.ok, verdict.reason, not verdict.ok
        check = checks.get(row.invoice.id)
        if verdict.ok and check is not None:
            if check.error:
                row.eligible, row.reason, row.needs_matching = False, check.error, False
                row.needs_tax_code = check.needs_tax_code
            elif row.qbo_total is None:
                row.qbo_total = check.qbo_total


def records_version(realm_id: str | None, batch_id: int) -> tuple:
    """Changes whenever one of the batch's export records does: per status, how many and the
    latest updated_at (every write sets it; the counts catch a write stamped by a host whose
    clock is behind)."""
    if not realm_id:
        return ()
    return tuple(sorted((str(status), n, last) for status, n, last in db.session.execute(
        select(InvoiceExport.status, func.count(InvoiceExport.id), func.max(InvoiceExport.updated_at))
        .join(Invoice, Invoice.id == InvoiceExport.invoice_id)
        .where(InvoiceExport.realm_id == realm_id, Invoice.batch_id == batch_id)
        .group_by(InvoiceExport.status))))


def batch_progress(batch: InvoiceBatch, counts: dict[str, int], invoice_count: int) -> BatchProgress:
    """The latest export that queued something, and the batch's share in QuickBooks."""
    job = last_export(batch.id)
    progress = BatchProgress(job=job, running=bool(counts.get("waiting")), invoice_count=invoice_count,
                             in_qbo=counts.get("exported", 0))
    if job is not None:
        p = export_service.progress(job)
        progress.total, progress.exported, progress.failed = p.total, p.exported, p.failed
    return progress


def last_export(batch_id: int) -> ExportJob | None:
    """The batch's latest export that queued something (a press with nothing left to send is
    answered on the spot and does not replace it as "Last export")."""
    return db.session.scalar(select(ExportJob).where(ExportJob.batch_id == batch_id, ExportJob.queued > 0)
                             .order_by(ExportJob.id.desc()).limit(1))


# ---------------------------------------------------------------------------------------------
# The progress poll


@dataclass
class ProgressView:
    """The poll's answer: the progress box, the batch's counts, and the rows whose export record
    changed since `since` (only those on the person's page when it says which)."""
    progress: BatchProgress
    rows: list[RowState]
    exported_count: int
    invoice_count: int
    selectable_count: int | None
    polled_at: datetime


def changed_since(batch: InvoiceBatch, since: datetime) -> bool:
    """Whether anything the progress poll shows may have changed since `since` (the page's last
    answer, less POLL_OVERLAP): a record of the batch written, or its last export started or
    ended. Two indexed look-ups; when neither finds anything the poll has nothing to send."""
    known_realm = current_realm(connected=False)
    cutoff = since - POLL_OVERLAP
    if known_realm and db.session.scalar(
            select(InvoiceExport.id).join(Invoice, Invoice.id == InvoiceExport.invoice_id)
            .where(InvoiceExport.realm_id == known_realm, InvoiceExport.updated_at >= cutoff,
                   Invoice.batch_id == batch.id).limit(1)) is not None:
        return True
    job = last_export(batch.id)
    return job is not None and any(moment is not None and moment >= cutoff
                                   for moment in (job.created_at, job.finished_at))


def progress_view(batch: InvoiceBatch, since: datetime | None = None, shown: set[int] | None = None,
                  selectable_count: int | None = None) -> ProgressView:
    known_realm = current_realm(connected=False)
    now = utcnow()
    counts = dict(db.session.execute(
        select(InvoiceExport.status, func.count()).join(Invoice, Invoice.id == InvoiceExport.invoice_id)
        .where(InvoiceExport.realm_id == (known_realm or ""), Invoice.batch_id == batch.id)
        .group_by(InvoiceExport.status)).all()) if known_realm else {}
    counts = {(k.value if isinstance(k, ExportStatus) else str(k)): n for k, n in counts.items()}
    invoice_count = db.session.scalar(select(func.count(Invoice.id)).where(Invoice.batch_id == batch.id))
    changed = batch_records(known_realm, batch.id, since=since - POLL_OVERLAP if since else None,
                            only_ids=shown)
    rows = [_row(InvoiceLite(i, record.invoice_number, 0, None, None, None, Decimal(0), Decimal(0)), record)
            for i, record in changed.items()]
    job = last_export(batch.id)
    progress = BatchProgress(job=job, running=bool(counts.get("queued") or counts.get("sending")),
                             in_qbo=counts.get("exported", 0), invoice_count=invoice_count)
    if job is not None:
        p = export_service.progress(job)
        progress.total, progress.exported, progress.failed = p.total, p.exported, p.failed
    with_qbo_statuses(rows)
    return ProgressView(progress=progress, rows=rows, exported_count=counts.get("exported", 0),
                        invoice_count=invoice_count, selectable_count=selectable_count, polled_at=now)


def started_message(batch: InvoiceBatch, job: ExportJob, chosen: set[int]) -> tuple[str, str]:
    """What pressing Export did, in plain words: queued, or nothing left to send (not a failure)."""
    already = job.selected - job.queued
    if job.queued:
        message = f"Exporting {job.queued} invoice(s) to QuickBooks."
        if already:
            message += f" {already} already in QuickBooks or on the way: not sent again."
        return message, "info"
    states = [r.status for r in batch_records(job.realm_id, batch.id, only_ids=chosen).values()]
    in_qbo, on_way = states.count("exported"), states.count("queued") + states.count("sending")
    if in_qbo == len(chosen):
        return f"Nothing to send — all {in_qbo} already in QuickBooks.", "success"
    parts = [f"{in_qbo} already in QuickBooks"] if in_qbo else []
    parts += [f"{on_way} on the way"] if on_way else []
    rest = len(chosen) - in_qbo - on_way
    parts += [f"{rest} not eligible or failed (Retry on its row)"] if rest else []
    return "Nothing new to send — " + ", ".join(parts) + ".", "info"


def exported_counts_for(rows) -> dict[int, int]:
    """For the batches list: batch id → invoices in QuickBooks (also while disconnected)."""
    return export_service.exported_counts(current_realm(connected=False), [r.batch.id for r in rows])


def history(invoice_id: int):
    return audit.history_of(invoice_id)
