"""The dashboard's receivables: what is still owed on invoices in QuickBooks, by office and payer,
aged by the invoice date (0–30, 31–60, 61–90, over 90 days). Only the offices the viewer may see.

The balance is QuickBooks' own (from the change feed), or the sent total for an exported invoice
the feed has not mentioned since; voided, deleted and paid invoices owe nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models import Invoice, InvoiceBatch, Office, Payer
from models.export import ExportStatus, InvoiceExport
from services.agency.offices import visible_office_ids
from services.payments.statuses import open_balances

BUCKETS = ("0–30 days", "31–60 days", "61–90 days", "Over 90 days")


def bucket_of(invoice_date: date, today: date) -> int:
    age = (today - invoice_date).days
    return 0 if age <= 30 else 1 if age <= 60 else 2 if age <= 90 else 3


@dataclass
class ReceivableRow:
    office: str
    payer: str
    amounts: list[Decimal] = field(default_factory=lambda: [Decimal("0")] * len(BUCKETS))
    invoices: int = 0

    @property
    def total(self) -> Decimal:
        return sum(self.amounts, Decimal("0"))


@dataclass
class Receivables:
    rows: list[ReceivableRow]
    buckets: tuple[str, ...] = BUCKETS

    @property
    def totals(self) -> list[Decimal]:
        return [sum((r.amounts[i] for r in self.rows), Decimal("0")) for i in range(len(BUCKETS))]

    @property
    def total(self) -> Decimal:
        return sum(self.totals, Decimal("0"))


def receivables_for(user, realm_id: str | None, today: date | None = None) -> Receivables:
    today = today or date.today()
    if not realm_id:
        return Receivables([])
    # Plain rows, not ORM objects, and balances without each invoice's words: the dashboard asks
    # this on every view, over every invoice ever exported.
    found = db.session.execute(
        select(InvoiceExport.invoice_id, InvoiceExport.qbo_id, InvoiceExport.qbo_total,
               InvoiceExport.expected_total, InvoiceExport.qbo_customer_id, Invoice.invoice_date,
               Office.name.label("office"), Payer.name.label("payer"))
        .join(Invoice, Invoice.id == InvoiceExport.invoice_id)
        .join(InvoiceBatch, InvoiceBatch.id == Invoice.batch_id)
        .join(Office, Office.id == InvoiceBatch.office_id)
        .outerjoin(Payer, Payer.id == Invoice.payer_id)
        .where(InvoiceExport.realm_id == realm_id, InvoiceExport.status == ExportStatus.EXPORTED,
               InvoiceBatch.office_id.in_(visible_office_ids(user)))).all()
    balances = open_balances(realm_id, found)
    rows: dict[tuple[str, str], ReceivableRow] = {}
    for record in found:
        balance = balances.get(record.invoice_id)
        if balance is None:
            continue
        key = (record.office, record.payer or "Private pay")
        row = rows.setdefault(key, ReceivableRow(*key))
        row.amounts[bucket_of(record.invoice_date, today)] += balance
        row.invoices += 1
    return Receivables(sorted(rows.values(), key=lambda r: (r.office, r.payer)))
