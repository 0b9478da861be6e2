"""Invoice batches CSV import: one row per invoice line, all-or-nothing.

Rows are grouped by batch_number and invoice_number (rows of one invoice need not be adjacent).
New batch numbers create draft batches; an existing *draft* batch of that number receives the new
invoices; a finalized batch is refused (finalized batches are the agency's record and never change).
With `finalize=True` every batch the file touched is finalized in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (BatchStatus, Caregiver, Client, Invoice, InvoiceBatch, InvoiceLine, LineKind, Office,
                    Payer, ServiceType)
from models._types import to_cents, utcnow
from services.caregivers.directory import CaregiverDirectory
from services.imports.records import office_lookup
from services.imports.common import CellReader, ImportAborted, ImportResult, RowError, read_rows

REQUIRED = ("batch_number", "office", "period_start", "period_end", "invoice_number", "client_code",
            "invoice_date", "line_kind", "quantity", "rate")
OPTIONAL = ("payer", "due_date", "service_type", "service_date", "caregiver", "start_time", "end_time",
            "description", "taxable", "amount")
DEFAULT_TERMS_DAYS = 30
MAX_VISIT_HOURS = Decimal("24")
DATED_KINDS = {LineKind.SERVICE, LineKind.HOLIDAY_PREMIUM, LineKind.OVERTIME_PREMIUM}


@dataclass
class ParsedLine:
    line: int
    batch_number: str
    office: Office
    period_start: date
    period_end: date
    invoice_number: str
    client: Client
    payer: Payer | None
    invoice_date: date
    due_date: date
    kind: LineKind
    service_type: ServiceType | None
    service_date: date | None
    caregiver: Caregiver | None
    start_time: time | None
    end_time: time | None
    quantity: Decimal
    rate: Decimal
    description: str
    taxable: bool


class _Lookups:
    def __init__(self, session: Session, rows):
        self.offices = office_lookup(session)
        self.clients = {c.code.upper(): c for c in session.scalars(select(Client))}
        self.payers = {p.name.lower(): p for p in session.scalars(select(Payer))}
        self.caregivers = CaregiverDirectory(session)
        self.service_types = {}
        for service_type in session.scalars(select(ServiceType)):
            self.service_types[service_type.name.lower()] = service_type
            self.service_types[service_type.code.lower()] = service_type
        batch_numbers = {r.get("batch_number").upper() for r in rows if r.get("batch_number")}
        invoice_numbers = {r.get("invoice_number").upper() for r in rows if r.get("invoice_number")}
        self.batches = {b.number.upper(): b for b in _in_chunks(session, InvoiceBatch, InvoiceBatch.number,
                                                                 batch_numbers)}
        self.used_invoices = {i.number.upper(): i for i in _in_chunks(session, Invoice, Invoice.number,
                                                                       invoice_numbers)}


def _in_chunks(session: Session, model, column, values: set[str], size: int = 500):
    """Rows whose column matches any of `values` case-insensitively (the IN list kept small)."""
    from sqlalchemy import func

    values = sorted(values)
    for start in range(0, len(values), size):
        yield from session.scalars(select(model).where(func.upper(column).in_(values[start:start + size])))


def _parse_row(row, lookups: _Lookups, errors: list[RowError]) -> ParsedLine | None:
    cells = CellReader(row, errors)
    batch_number = cells.text("batch_number", required=True, max_length=30)
    office_name = cells.text("office", required=True)
    office = lookups.offices.get(office_name.lower()) if office_name else None
    if office_name and office is None:
        cells.fail("office", f"Unknown office '{office_name}'.")
    period_start = cells.date("period_start", required=True)
    period_end = cells.date("period_end", required=True)
    period_ok = bool(period_start and period_end and period_start <= period_end)
    if period_start and period_end and not period_ok:
        cells.fail("period_end", f"period_end {period_end} is before period_start {period_start}.")
    invoice_number = cells.text("invoice_number", required=True, max_length=30)
    code = cells.text("client_code", required=True)
    client = lookups.clients.get(code.upper()) if code else None
    if code and client is None:
        cells.fail("client_code", f"Unknown client code '{code}' (import the clients first).")
    payer_name = cells.text("payer")
    payer = lookups.payers.get(payer_name.lower()) if payer_name else None
    if payer_name and payer is None:
        known = ", ".join(sorted(p.name for p in lookups.payers.values())) or "none set up"
        cells.fail("payer", f"Unknown payer '{payer_name}' (known payers: {known}; empty = private pay).")
    invoice_date = cells.date("invoice_date", required=True)
    due_date = cells.date("due_date")
    if invoice_date and due_date and due_date < invoice_date:
        cells.fail("due_date", f"due_date {due_date} is before invoice_date {invoice_date}.")

    kind_text = cells.text("line_kind", required=True).lower().replace(" ", "_").replace("-", "_")
    kind = None
    if kind_text:
        try:
            kind = LineKind(kind_text)
        except ValueError:
            cells.fail("line_kind", f"Unknown line_kind '{row.get('line_kind')}' (use one of "
                                    f"{', '.join(k.value for k in LineKind)}).")
    type_name = cells.text("service_type")
    service_type = lookups.service_types.get(type_name.lower()) if type_name else None
    if type_name and service_type is None:
        cells.fail("service_type", f"Unknown service type '{type_name}'.")
    elif kind == LineKind.SERVICE and not type_name:
        cells.fail("service_type", "A service line needs a service_type.")
    service_date = cells.date("service_date")
    if kind == LineKind.SERVICE and not row.get("service_date"):
        cells.fail("service_date", "A service line needs a service_date.")
    if kind in DATED_KINDS and service_date and period_ok and not period_start <= service_date <= period_end:
        cells.fail("service_date", f"service_date {service_date} is outside the period "
                                   f"{period_start} to {period_end}.")
    caregiver_cell = cells.text("caregiver", max_length=120)
    found = lookups.caregivers.find(caregiver_cell) if caregiver_cell else None
    if found is not None and found.caregiver is None:
        cells.fail("caregiver", found.problem)
    caregiver = found.caregiver if found else None
    start_time, end_time = cells.time("start_time"), cells.time("end_time")
    if bool(row.get("start_time")) != bool(row.get("end_time")):
        cells.fail("end_time" if row.get("start_time") else "start_time",
                   "Give both start_time and end_time, or neither.")
    elif start_time and end_time and end_time <= start_time:
        cells.fail("end_time", f"end_time {end_time:%H:%M} is not after start_time {start_time:%H:%M}.")

    quantity = cells.decimal("quantity", required=True, places=2)
    if quantity is not None and quantity <= 0:
        what = "hours" if kind in DATED_KINDS else "quantity"
        cells.fail("quantity", f"quantity {quantity} is not positive (negative or zero {what}); "
                               "credits go on a discount line with a negative rate.")
    elif quantity is not None and kind == LineKind.SERVICE and quantity > MAX_VISIT_HOURS:
        cells.fail("quantity", f"{quantity} hours is more than {MAX_VISIT_HOURS} hours for one visit.")
    rate = cells.decimal("rate", required=True, places=4)
    if rate is not None and kind == LineKind.DISCOUNT and rate >= 0:
        cells.fail("rate", "A discount line needs a negative rate (e.g. -25.00).")
    elif rate is not None and kind not in (None, LineKind.DISCOUNT) and rate < 0:
        cells.fail("rate", f"rate {rate} is negative; credits go on a discount line.")
    amount = cells.decimal("amount", places=2)
    if amount is not None and quantity is not None and rate is not None and \
            amount != to_cents(quantity * rate):
        cells.fail("amount", f"amount {amount} is not quantity x rate = {to_cents(quantity * rate)}.")
    description = cells.text("description", max_length=500)
    taxable = cells.boolean("taxable", default=False)

    if not cells.ok:
        return None
    return ParsedLine(
        line=row.line, batch_number=batch_number, office=office, period_start=period_start,
        period_end=period_end, invoice_number=invoice_number, client=client, payer=payer,
        invoice_date=invoice_date, due_date=due_date or invoice_date + timedelta(days=DEFAULT_TERMS_DAYS),
        kind=kind, service_type=service_type, service_date=service_date, caregiver=caregiver,
        start_time=start_time, end_time=end_time, quantity=quantity, rate=rate,
        description=description, taxable=taxable)


def _check_groups(lines: list[ParsedLine], lookups: _Lookups, errors: list[RowError]) -> None:
    """Rows of one batch agree on office and period; rows of one invoice on batch, client, payer and
    dates; batches that exist must be drafts of the same office and period; numbers must be new."""
    first_batch_row: dict[str, ParsedLine] = {}
    first_invoice_row: dict[str, ParsedLine] = {}
    for item in lines:
        fail = lambda column, message: errors.append(RowError(item.line, column, message))  # noqa: E731
        existing = lookups.batches.get(item.batch_number.upper())
        if existing is not None and existing.is_finalized:
            fail("batch_number", f"Batch {existing.number} is finalized; a finalized batch cannot change.")
        elif existing is not None and (existing.office_id != item.office.id or
                                       (existing.period_start, existing.period_end) !=
                                       (item.period_start, item.period_end)):
            fail("batch_number", f"Draft batch {existing.number} already exists for {existing.office.name}, "
                                 f"{existing.period_start} to {existing.period_end}; this row says "
                                 f"{item.office.name}, {item.period_start} to {item.period_end}.")
        first = first_batch_row.setdefault(item.batch_number.upper(), item)
        if first is not item and (first.office is not item.office or
                                  (first.period_start, first.period_end) != (item.period_start, item.period_end)):
            fail("batch_number", f"Batch {item.batch_number} is {first.office.name}, {first.period_start} to "
                                 f"{first.period_end} on line {first.line}; this row says {item.office.name}, "
                                 f"{item.period_start} to {item.period_end}.")

        used = lookups.used_invoices.get(item.invoice_number.upper())
        if used is not None:
            fail("invoice_number", f"Invoice number {used.number} is already used (batch {used.batch.number}).")
        first = first_invoice_row.setdefault(item.invoice_number.upper(), item)
        if first is item:
            continue
        for column, mine, theirs, show in (
            ("batch_number", item.batch_number.upper(), first.batch_number.upper(), lambda p: p.batch_number),
            ("client_code", item.client.id, first.client.id, lambda p: p.client.code),
            ("payer", item.payer and item.payer.id, first.payer and first.payer.id,
             lambda p: p.payer.name if p.payer else "(private pay)"),
            ("invoice_date", item.invoice_date, first.invoice_date, lambda p: p.invoice_date),
            ("due_date", item.due_date, first.due_date, lambda p: p.due_date),
        ):
            if column == "due_date" and item.invoice_date != first.invoice_date:
                continue  # a defaulted due date follows the invoice date already reported
            if mine != theirs:
                fail(column, f"Invoice {item.invoice_number} has {column} {show(first)} on line {first.line} "
                             f"but {show(item)} here; all lines of one invoice must agree.")


def import_invoices_csv(text_stream, session: Session, finalize: bool = False, user=None) -> ImportResult:
    """Import invoice lines; `user` (optional) is recorded as the finalizer when `finalize`."""
    try:
        _header, rows = read_rows(text_stream, REQUIRED, OPTIONAL)
    except ImportAborted as aborted:
        return ImportResult.failed(aborted.errors)
    lookups = _Lookups(session, rows)
    errors: list[RowError] = []
    parsed = [p for p in (_parse_row(row, lookups, errors) for row in rows) if p is not None]
    _check_groups(parsed, lookups, errors)
    if errors:
        return ImportResult.failed(errors)

    try:
        batches, invoices = _write(session, parsed, lookups)
        session.flush()
        if finalize:
            for batch in batches.values():
                batch.status = BatchStatus.FINALIZED
                batch.finalized_at = utcnow()
                batch.finalized_by_id = user.id if user is not None else None
        session.commit()
    except Exception:
        session.rollback()
        raise
    state = "finalized" if finalize else "draft"
    names = ", ".join(sorted(b.number for b in batches.values()))
    summary = (f"Imported {len(invoices)} invoice{'s' if len(invoices) != 1 else ''} ({len(parsed)} lines) "
               f"into {len(batches)} {state} batch{'es' if len(batches) != 1 else ''}: {names}.")
    return ImportResult(ok=True, created=len(invoices), summary=summary)


def _write(session: Session, parsed: list[ParsedLine], lookups: _Lookups):
    batches: dict[str, InvoiceBatch] = {}
    invoices: dict[str, Invoice] = {}
    with session.no_autoflush:
        for item in parsed:
            key = item.batch_number.upper()
            batch = batches.get(key) or lookups.batches.get(key)
            if batch is None:
                batch = InvoiceBatch(number=item.batch_number, office=item.office, period_start=item.period_start,
                                     period_end=item.period_end, status=BatchStatus.DRAFT)
                session.add(batch)
            batches[key] = batch
            invoice = invoices.get(item.invoice_number.upper())
            if invoice is None:
                invoice = Invoice(number=item.invoice_number, batch=batch, client=item.client, payer=item.payer,
                                  invoice_date=item.invoice_date, due_date=item.due_date,
                                  period_start=batch.period_start, period_end=batch.period_end)
                invoices[item.invoice_number.upper()] = invoice
                session.add(invoice)
            invoice.lines.append(InvoiceLine(
                position=len(invoice.lines), kind=item.kind, description=item.description,
                service_type=item.service_type, service_date=item.service_date, caregiver=item.caregiver,
                caregiver_name=item.caregiver.name if item.caregiver else "",
                start_time=item.start_time, end_time=item.end_time, quantity=item.quantity, rate=item.rate,
                taxable=item.taxable))
    return batches, invoices
