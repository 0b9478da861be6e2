"""Write a parsed change set into the local copy of QuickBooks' side: upserts keyed by
(realm, QuickBooks Id), so applying the same changes twice leaves the same rows. A change older
than what is stored (by QuickBooks' LastUpdatedTime) is ignored: polls may overlap and webhooks
may repeat, so an older report must never undo a newer one. Caller commits.

Only invoices CareLedger exported are kept (and payments touching them): the company's other
invoices are none of our business and would only grow the tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, select

from extensions import db
from models.export import InvoiceExport
from models.payments import QboCustomerState, QboInvoiceState, QboPayment, QboPaymentLine
from services.mapping.payment import ChangeSet, CustomerChange, InvoiceChange, PaymentChange


@dataclass
class Applied:
    invoices: int = 0
    payments: int = 0
    customers: int = 0
    ignored: int = 0          # not ours, or older than what we have
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.invoices + self.payments + self.customers


def _newer(change_at, stored_at) -> bool:
    return stored_at is None or change_at is None or change_at >= stored_at


def _existing(model, realm_id: str, ids) -> dict:
    ids = list(set(ids))
    if not ids:
        return {}
    return {row.qbo_id: row for row in db.session.scalars(select(model).where(
        model.realm_id == realm_id, model.qbo_id.in_(ids)))}


def our_invoice_ids(realm_id: str, qbo_ids) -> set[str]:
    qbo_ids = list(set(qbo_ids))
    if not qbo_ids:
        return set()
    return set(db.session.scalars(select(InvoiceExport.qbo_id).where(
        InvoiceExport.realm_id == realm_id, InvoiceExport.qbo_id.in_(qbo_ids))))


def apply_invoices(realm_id: str, changes: list[InvoiceChange], result: Applied) -> None:
    stored = _existing(QboInvoiceState, realm_id, [c.qbo_id for c in changes])
    ours = our_invoice_ids(realm_id, [c.qbo_id for c in changes]) | set(stored)
    for change in changes:
        row = stored.get(change.qbo_id)
        if change.qbo_id not in ours or (row is not None and not _newer(change.updated_at, row.qbo_updated_at)):
            result.ignored += 1
            continue
        if row is None:
            row = stored[change.qbo_id] = QboInvoiceState(realm_id=realm_id, qbo_id=change.qbo_id)
            db.session.add(row)
        row.deleted, row.qbo_updated_at = change.deleted, change.updated_at
        if not change.deleted:  # a tombstone keeps the last known amounts
            row.voided, row.doc_number, row.customer_id = change.voided, change.doc_number, change.customer_id
            row.total, row.balance = change.total, change.balance
        result.invoices += 1


def apply_payments(realm_id: str, changes: list[PaymentChange], result: Applied) -> None:
    stored = _existing(QboPayment, realm_id, [c.qbo_id for c in changes])
    ours = our_invoice_ids(realm_id, [i for c in changes for i, _ in c.applied])
    for change in changes:
        row = stored.get(change.qbo_id)
        touches_ours = any(invoice_id in ours for invoice_id, _ in change.applied)
        if (row is None and not touches_ours) or (row is not None and not _newer(change.updated_at, row.qbo_updated_at)):
            result.ignored += 1
            continue
        if row is None:
            row = stored[change.qbo_id] = QboPayment(realm_id=realm_id, qbo_id=change.qbo_id)
            db.session.add(row)
        row.deleted, row.qbo_updated_at = change.deleted, change.updated_at
        if not change.deleted:
            row.voided, row.customer_id, row.total = change.voided, change.customer_id, change.total
            row.txn_date, row.reference = change.txn_date, change.reference
        # The payment's applications are replaced as a whole (a deleted or voided one has none).
        db.session.execute(delete(QboPaymentLine).where(QboPaymentLine.realm_id == realm_id,
                                                        QboPaymentLine.payment_qbo_id == change.qbo_id))
        for invoice_id, amount in change.applied:
            if invoice_id in ours:
                db.session.add(QboPaymentLine(realm_id=realm_id, payment_qbo_id=change.qbo_id,
                                              invoice_qbo_id=invoice_id, amount=amount))
        result.payments += 1


def apply_customers(realm_id: str, changes: list[CustomerChange], result: Applied) -> dict[str, QboCustomerState]:
    stored = _existing(QboCustomerState, realm_id, [c.qbo_id for c in changes])
    for change in changes:
        row = stored.get(change.qbo_id)
        if row is not None and not _newer(change.updated_at, row.qbo_updated_at):
            result.ignored += 1
            continue
        if row is None:
            row = stored[change.qbo_id] = QboCustomerState(realm_id=realm_id, qbo_id=change.qbo_id)
            db.session.add(row)
        row.deleted, row.qbo_updated_at = change.deleted, change.updated_at
        if not change.deleted:
            row.display_name, row.active, row.merged_into_id = change.display_name, change.active, None
        result.customers += 1
    return stored


def apply_changes(realm_id: str, changes: ChangeSet, merge_hints: dict[str, str] | None = None) -> Applied:
    """Invoices, payments, then customers (a merge is recognised from the invoices it moved)."""
    from services.client_matching.qbo_changes import follow_customer_changes

    result = Applied()
    apply_invoices(realm_id, changes.invoices, result)
    apply_payments(realm_id, changes.payments, result)
    customers = apply_customers(realm_id, changes.customers, result)
    db.session.flush()
    result.notes += follow_customer_changes(realm_id, changes, customers, merge_hints or {})
    return result
