"""The dashboard's receivables: what is still owed on invoices in QuickBooks, by office and payer,
aged by the invoice date (0–30, 31–60, 61–90, over 90 days). Only the offices the viewer may see.

The balance is QuickBooks' own (from the change feed), or the sent total for an exported invoice
the feed has not mentioned since; voided, deleted and paid invoices owe nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from extensions import db
from models import Invoice, InvoiceBatch, Office, Payer
from models.export import ExportStatus, InvoiceExport
from models.payments import QboInvoiceState
from services.agency.offices import visible_office_ids

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
    """Summed in the database, grouped by office, payer and invoice date (a few hundred rows
    whatever the number of invoices): loading every exported invoice took seconds at 10,000 and
    would pass SQLite's limit on bound parameters at ~32,000."""
    today = today or date.today()
    if not realm_id:
        return Receivables([])
    rows: dict[tuple[str, str], ReceivableRow] = {}
    for office, payer, invoice_date, owed, count in db.session.execute(_owed_by_day(user, realm_id)):
        key = (office, payer or "Private pay")
        row = rows.setdefault(key, ReceivableRow(*key))
        row.amounts[bucket_of(invoice_date, today)] += Decimal(owed)
        row.invoices += count
    return Receivables(sorted(rows.values(), key=lambda r: (r.office, r.payer)))


def _owed_by_day(user, realm_id: str):
    """What each exported invoice still owes, by the rules of services/payments/statuses.py:
    QuickBooks' balance when the change feed reported one, else the total sent; nothing for a
    voided or deleted invoice; only what is positive (paid invoices, and credits, owe nothing)."""
    state = aliased(QboInvoiceState)
    sent = func.coalesce(InvoiceExport.qbo_total, InvoiceExport.expected_total)
    owed = func.coalesce(state.balance, sent)
    return (select(Office.name, Payer.name, Invoice.invoice_date, func.sum(owed), func.count())
            .select_from(InvoiceExport)
            .join(Invoice, Invoice.id == InvoiceExport.invoice_id)
            .join(InvoiceBatch, InvoiceBatch.id == Invoice.batch_id)
            .join(Office, Office.id == InvoiceBatch.office_id)
            .outerjoin(Payer, Payer.id == Invoice.payer_id)
            .outerjoin(state, and_(state.realm_id == InvoiceExport.realm_id,
                                   state.qbo_id == InvoiceExport.qbo_id))
            .where(InvoiceExport.realm_id == realm_id, InvoiceExport.status == ExportStatus.EXPORTED,
                   InvoiceExport.qbo_id.is_not(None),
                   InvoiceBatch.office_id.in_(visible_office_ids(user)),
                   or_(state.id.is_(None), and_(state.deleted.is_(False), state.voided.is_(False))),
                   owed > 0)
            .group_by(Office.name, Payer.name, Invoice.invoice_date))
