"""What became of each exported invoice in QuickBooks, in plain words: Open, Partially paid,
Paid, Voided, Deleted or Changed in QuickBooks. Computed from the export record (what was sent)
and the last state the change feed reported (no QuickBooks call here).

Order of precedence: Deleted, Voided, Changed (the total or the customer differs from what was
sent — a customer merged into another is followed, not "changed"), then Paid, Partially paid,
Open. An exported invoice the feed never mentioned is Open for its sent total.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from extensions import db
from models.export import ExportStatus, InvoiceExport
from models.payments import QboCustomerState, QboInvoiceState, QboPayment, QboPaymentLine


class QboState(str, enum.Enum):
    OPEN = "open"
    PARTIAL = "partial"
    PAID = "paid"
    VOIDED = "voided"
    DELETED = "deleted"
    CHANGED = "changed"


@dataclass(frozen=True)
class InvoiceStatus:
    state: QboState
    label: str                   # short words for the row
    title: str                   # the sentence behind the icon (title and accessible name)
    balance: Decimal | None = None
    paid_on: date | None = None
    qbo_id: str | None = None

    @property
    def can_export_again(self) -> bool:
        return self.state in (QboState.DELETED, QboState.VOIDED)  # voided: issue 16

    @property
    def counts_as_open(self) -> bool:
        return self.state in _OPEN_STATES and bool(self.balance)


def _money(value) -> str:
    return f"${Decimal(value):,.2f}"


def _resolve(customer_id: str | None, merged: dict[str, str]) -> str | None:
    seen = set()
    while customer_id in merged and customer_id not in seen:
        seen.add(customer_id)
        customer_id = merged[customer_id]
    return customer_id


def _sent_total(record):
    return record.qbo_total if record.qbo_total is not None else record.expected_total


def classify(record, state: QboInvoiceState | None, merged: dict[str, str]) -> tuple[QboState, Decimal | None]:
    """(what became of the invoice, what is still owed on it) — the rules above, without the words.
    `record` and `state` may be ORM rows or plain rows with the same attribute names."""
    sent_total = _sent_total(record)
    if state is None:
        return QboState.OPEN, sent_total
    if state.deleted:
        return QboState.DELETED, None
    if state.voided:
        return QboState.VOIDED, Decimal("0")
    balance = state.balance if state.balance is not None else sent_total
    customer_moved = (record.qbo_customer_id and state.customer_id
                      and _resolve(record.qbo_customer_id, merged) != state.customer_id)
    if (sent_total is not None and state.total is not None and state.total != sent_total) or customer_moved:
        return QboState.CHANGED, balance
    if balance is not None and balance <= 0:
        return QboState.PAID, Decimal("0")
    if state.total is not None and balance is not None and balance < state.total:
        return QboState.PARTIAL, balance
    return QboState.OPEN, balance


def describe(record: InvoiceExport, state: QboInvoiceState | None, paid_on: date | None,
             merged: dict[str, str]) -> InvoiceStatus:
    kind, balance = classify(record, state, merged)
    qbo_id = record.qbo_id
    if kind is QboState.DELETED:
        return InvoiceStatus(kind, "Deleted in QuickBooks", "Deleted in QuickBooks: it can be exported again",
                             qbo_id=qbo_id)
    if kind is QboState.VOIDED:
        return InvoiceStatus(kind, "Voided in QuickBooks",
                             "Voided in QuickBooks: nothing is owed on it; it can be exported again",
                             balance, qbo_id=qbo_id)
    if kind is QboState.CHANGED:
        sent_total = _sent_total(record)
        what = (f"total is now {_money(state.total)} (sent {_money(sent_total)})"
                if state.total != sent_total else "it is now billed to another customer")
        return InvoiceStatus(kind, "Changed in QuickBooks",
                             f"Changed in QuickBooks: {what}; {_money(balance or 0)} due", balance, qbo_id=qbo_id)
    if kind is QboState.PAID:
        when = f" on {paid_on.isoformat()}" if paid_on else ""
        return InvoiceStatus(kind, f"Paid{when}", f"Paid in QuickBooks{when}", balance, paid_on, qbo_id=qbo_id)
    if kind is QboState.PARTIAL:
        return InvoiceStatus(kind, f"Partially paid ({_money(balance)} due)",
                             f"Partially paid in QuickBooks: {_money(balance)} still due", balance, qbo_id=qbo_id)
    return InvoiceStatus(kind, "Open", f"Open in QuickBooks: {_money(balance or 0)} due", balance, qbo_id=qbo_id)


_OPEN_STATES = (QboState.OPEN, QboState.PARTIAL, QboState.CHANGED)  # InvoiceStatus.counts_as_open


def _merged_customers(realm_id: str) -> dict[str, str]:
    return dict(db.session.execute(select(QboCustomerState.qbo_id, QboCustomerState.merged_into_id).where(
        QboCustomerState.realm_id == realm_id, QboCustomerState.merged_into_id.is_not(None))).all())


def statuses_for_records(realm_id: str | None, records: list[InvoiceExport]) -> dict[int, InvoiceStatus]:
    """invoice id → status, for exported records. Three queries whatever the number of records."""
    records = [r for r in records if r.status == ExportStatus.EXPORTED and r.qbo_id]
    if not realm_id or not records:
        return {}
    qbo_ids = [r.qbo_id for r in records]
    states = {s.qbo_id: s for s in db.session.execute(select(*_STATE_COLUMNS).where(
        QboInvoiceState.realm_id == realm_id, QboInvoiceState.qbo_id.in_(qbo_ids)))}
    paid_on = dict(db.session.execute(
        select(QboPaymentLine.invoice_qbo_id, func.max(QboPayment.txn_date))
        .join(QboPayment, (QboPayment.realm_id == QboPaymentLine.realm_id)
              & (QboPayment.qbo_id == QboPaymentLine.payment_qbo_id))
        .where(QboPaymentLine.realm_id == realm_id, QboPaymentLine.invoice_qbo_id.in_(qbo_ids))
        .group_by(QboPaymentLine.invoice_qbo_id)).all())
    merged = _merged_customers(realm_id)
    return {r.invoice_id: describe(r, states.get(r.qbo_id), paid_on.get(r.qbo_id), merged) for r in records}


# What `describe` reads, as plain rows: pages ask for a hundred statuses per view, and ORM
# objects cost several times the rows.
_RECORD_COLUMNS = (InvoiceExport.invoice_id, InvoiceExport.status, InvoiceExport.qbo_id, InvoiceExport.qbo_total,
                   InvoiceExport.expected_total, InvoiceExport.qbo_customer_id)
_STATE_COLUMNS = (QboInvoiceState.qbo_id, QboInvoiceState.deleted, QboInvoiceState.voided, QboInvoiceState.balance,
                  QboInvoiceState.total, QboInvoiceState.customer_id)


def statuses_for(realm_id: str | None, invoice_ids) -> dict[int, InvoiceStatus]:
    if not realm_id:
        return {}
    records = db.session.execute(select(*_RECORD_COLUMNS).where(
        InvoiceExport.realm_id == realm_id, InvoiceExport.invoice_id.in_(list(invoice_ids)))).all()
    return statuses_for_records(realm_id, records)


@dataclass(frozen=True)
class PaymentRow:
    qbo_id: str
    txn_date: date | None
    amount: Decimal
    reference: str


def payments_of(realm_id: str | None, qbo_invoice_id: str | None) -> list[PaymentRow]:
    """The payments QuickBooks applied to one invoice, oldest first."""
    if not realm_id or not qbo_invoice_id:
        return []
    rows = db.session.execute(
        select(QboPayment.qbo_id, QboPayment.txn_date, QboPaymentLine.amount, QboPayment.reference)
        .join(QboPayment, (QboPayment.realm_id == QboPaymentLine.realm_id)
              & (QboPayment.qbo_id == QboPaymentLine.payment_qbo_id))
        .where(QboPaymentLine.realm_id == realm_id, QboPaymentLine.invoice_qbo_id == qbo_invoice_id)
        .order_by(QboPayment.txn_date, QboPayment.id)).all()
    return [PaymentRow(*row) for row in rows]
