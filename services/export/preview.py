"""Preview (dry run) of an export: exactly what QuickBooks would get, sending nothing (issue 16).

Each invoice goes through the exporter's own preparation — `prepare.map_one` with the same
settings, refs, latest correction and DocNumber generation `prepare_group` uses — so the preview
is the body export would send, not a second rendering of it. Per invoice: the customer, the
DocNumber, each line (item, class, qty, rate, amount, service date, description) and the total as
QuickBooks will show it (tax excluded) beside the agency's; warnings in plain words; and a summary
by item and by customer.

With a QuickBooks client it also reads (never writes) what only QuickBooks knows: DocNumbers it
already has, and items or customers made inactive there (3 reads per 100 invoices at most).
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from qbo.client import quote
from qbo.errors import QboError
from services.export import prepare
from services.mapping.invoice import MappingError, TaxSetupMissing

CHUNK = 100  # DocNumbers per look-up query


@dataclass(frozen=True)
class PreviewLine:
    item: str
    item_id: str
    class_name: str
    qty: Decimal
    rate: Decimal
    amount: Decimal
    service_date: date | None
    description: str


@dataclass
class InvoicePreview:
    invoice_id: int
    number: str
    client_name: str
    customer: str = ""
    customer_id: str = ""
    doc_number: str = ""
    location: str = ""
    lines: list[PreviewLine] = field(default_factory=list)
    qbo_total: Decimal | None = None
    agency_subtotal: Decimal = Decimal("0.00")
    agency_tax: Decimal = Decimal("0.00")
    warnings: list[str] = field(default_factory=list)
    problem: str = ""            # why it cannot be exported as it stands
    already: str = ""            # already in QuickBooks or on its way: export would send nothing
    corrected: int = 0           # the revision the preview shows (0: the finalized lines)

    @property
    def sendable(self) -> bool:
        return not self.problem and not self.already

    @property
    def agency_total(self) -> Decimal:
        return self.agency_subtotal + self.agency_tax


@dataclass
class BatchPreview:
    invoices: list[InvoicePreview]
    checked_in_qbo: bool = False
    qbo_problem: str = ""        # the look-ups could not be made (shown; nothing else changes)

    @property
    def sendable(self) -> list[InvoicePreview]:
        return [p for p in self.invoices if p.sendable]

    @property
    def qbo_total(self) -> Decimal:
        return sum((p.qbo_total for p in self.sendable), Decimal("0.00"))

    @property
    def agency_total(self) -> Decimal:
        return sum((p.agency_total for p in self.sendable), Decimal("0.00"))

    @property
    def warning_count(self) -> int:
        return sum(len(p.warnings) for p in self.sendable)

    def by_item(self) -> list[tuple[str, int, Decimal]]:
        """(item, lines, amount) over the invoices export would send."""
        found: OrderedDict = OrderedDict()
        for p in self.sendable:
            for line in p.lines:
                count, amount = found.get(line.item, (0, Decimal("0.00")))
                found[line.item] = (count + 1, amount + line.amount)
        return sorted(((k, n, a) for k, (n, a) in found.items()), key=lambda r: r[0].lower())

    def by_customer(self) -> list[tuple[str, int, Decimal]]:
        found: OrderedDict = OrderedDict()
        for p in self.sendable:
            count, amount = found.get(p.customer, (0, Decimal("0.00")))
            found[p.customer] = (count + 1, amount + p.qbo_total)
        return sorted(((k, n, a) for k, (n, a) in found.items()), key=lambda r: r[0].lower())


def _line(body_line: dict) -> PreviewLine:
    detail = body_line["SalesItemLineDetail"]
    served = detail.get("ServiceDate")
    return PreviewLine(item=detail["ItemRef"].get("name") or detail["ItemRef"]["value"],
                       item_id=str(detail["ItemRef"]["value"]),
                       class_name=(detail.get("ClassRef") or {}).get("name", ""),
                       qty=Decimal(str(detail["Qty"])), rate=Decimal(str(detail["UnitPrice"])),
                       amount=Decimal(str(body_line["Amount"])).quantize(Decimal("0.01")),
                       service_date=date.fromisoformat(served) if served else None,
                       description=body_line.get("Description", ""))


def build(batch, invoice_ids: list[int] | None, realm_id: str, client=None) -> BatchPreview:
    """The preview of `invoice_ids` of a finalized batch (all of it when None). `client`: an
    ExportClient for the read-only look-ups (None: no QuickBooks call at all)."""
    from services.corrections.revisions import latest_for, totals
    from services.export import states_for
    from services.sync_settings import settings_for

    invoices = sorted(prepare._load_invoices(_ids_of(batch, invoice_ids)).values(), key=lambda i: i.number)
    settings = settings_for(realm_id)
    allowed = prepare.eligibility(invoices, realm_id, settings)
    qbo = getattr(client, "client", None)
    records = states_for(realm_id, [i.id for i in invoices])
    corrected = latest_for([i.id for i in invoices])
    answer = []
    refs = None
    for invoice in invoices:
        revision = corrected.get(invoice.id)
        lines = list(revision.lines) if revision is not None else None
        subtotal, tax = totals(lines if lines is not None else invoice.lines)
        row = InvoicePreview(invoice.id, invoice.number, invoice.client.full_name, agency_subtotal=subtotal,
                             agency_tax=tax, corrected=revision.number if revision is not None else 0)
        answer.append(row)
        record = records.get(invoice.id)
        if record is not None and record.status.value != "failed":
            row.already = f"{record.status.label}: export sends it no more"
        if not allowed[invoice.id].ok:
            row.problem = allowed[invoice.id].reason
            continue
        if refs is None:
            refs = prepare.load_refs(realm_id, settings, [i.client_id for i in invoices],
                                     (lambda: qbo) if qbo is not None else None)
        try:
            mapped = prepare.map_one(invoice, realm_id, settings, refs, lines=lines,
                                     generation=(record.generation if record is not None else 1) or 1)
        except (TaxSetupMissing, MappingError) as error:
            row.problem = str(error)
            continue
        body = mapped.body
        row.customer, row.customer_id = body["CustomerRef"].get("name", ""), str(body["CustomerRef"]["value"])
        row.doc_number = body.get("DocNumber", "") or "(QuickBooks numbers it)"
        row.location = (body.get("DepartmentRef") or {}).get("name", "")
        row.lines = [_line(line) for line in body["Line"]]
        row.qbo_total = mapped.qbo_total
        row.warnings = list(mapped.warnings)
    found = BatchPreview(answer)
    if qbo is not None:
        _check_in_quickbooks(qbo, found)
    return found


def _ids_of(batch, invoice_ids) -> list[int]:
    from sqlalchemy import select

    from extensions import db
    from models import Invoice

    ids = list(db.session.scalars(select(Invoice.id).where(Invoice.batch_id == batch.id)))
    return ids if invoice_ids is None else [i for i in ids if i in set(invoice_ids)]


def _check_in_quickbooks(qbo, found: BatchPreview) -> None:
    """Read-only look-ups: DocNumbers QuickBooks already has, inactive items and customers."""
    rows = [p for p in found.sendable if p.doc_number and not p.doc_number.startswith("(")]
    try:
        taken: dict[str, dict] = {}
        for start in range(0, len(rows), CHUNK):
            numbers = ", ".join(quote(p.doc_number) for p in rows[start:start + CHUNK])
            for doc in qbo.query(f"select * from Invoice where DocNumber in ({numbers}) maxresults 1000").get("Invoice") or []:
                taken.setdefault(doc.get("DocNumber"), doc)
        items = {str(i["Id"]): i.get("Name", "") for i in
                 qbo.query("select * from Item where Active = false maxresults 1000").get("Item") or []}
        customers = {str(c["Id"]): c.get("DisplayName", "") for c in
                     qbo.query("select * from Customer where Active = false maxresults 1000").get("Customer") or []}
    except QboError as error:
        found.qbo_problem = f"QuickBooks could not be checked ({error}); the preview shows CareLedger's side only."
        return
    found.checked_in_qbo = True
    for p in found.sendable:
        doc = taken.get(p.doc_number)
        if doc is not None:
            p.warnings.append(f"QuickBooks already has an invoice numbered {p.doc_number} (Id {doc.get('Id')}, "
                              f"{(doc.get('CustomerRef') or {}).get('name', 'another customer')}, total "
                              f"{doc.get('TotalAmt')}): export takes it over if it is this one, else refuses it")
        if p.customer_id in customers:
            p.warnings.append(f"The customer {customers[p.customer_id] or p.customer} is inactive in QuickBooks")
        for name in sorted({line.item for line in p.lines if line.item_id in items}):
            p.warnings.append(f"The item {name} is inactive in QuickBooks")

