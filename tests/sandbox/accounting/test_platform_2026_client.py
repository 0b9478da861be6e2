"""The 2026 faults as python-quickbooks meets them: 6150, 5010 "Account Period Closed", a void
refused while a Payment settles the invoice, 6520."""
from __future__ import annotations

import pytest
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.base import LinkedTxn
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.payment import Payment, PaymentLine

from tests.sandbox.accounting.test_python_quickbooks import _customer, _invoice, _item


def _error(raised) -> tuple[str, str]:
    return str(raised.value.error_code), f"{raised.value.message} {raised.value.detail}"


def test_a_job_without_parent_is_6150(qb):
    orphan = Customer()
    orphan.DisplayName = "Orphan Job"
    orphan.Job = True
    with pytest.raises(QuickbooksException) as refused:
        orphan.save(qb=qb)
    code, text = _error(refused)
    assert code == "6150" and "ParentRef Required Error" in text


def test_a_closed_period_refuses_with_5010_not_a_stale_object(app, qb):
    customer, item = _customer(qb, "Closed, Clara"), _item(qb)
    with app.extensions["qbo_sandbox.store"].transaction() as tx:
        from qbo_sandbox.accounting.company import merge_preferences
        for company in tx.companies():
            merge_preferences(tx, company["realm_id"], {"AccountingInfoPrefs": {"BookCloseDate": "2026-06-30"}})
    with pytest.raises(QuickbooksException) as refused:
        _invoice(qb, customer, item, TxnDate="2026-06-01")
    code, text = _error(refused)
    assert code == "5010" and "Account Period Closed" in text and "Stale" not in text
    assert _invoice(qb, customer, item, TxnDate="2026-07-01").Id


def test_voiding_an_invoice_a_payment_settles_is_refused(qb):
    customer, item = _customer(qb, "Paid, Paula"), _item(qb)
    invoice = _invoice(qb, customer, item)
    payment = Payment()
    payment.TotalAmt = 130
    payment.CustomerRef = customer.to_ref()
    line = PaymentLine()
    line.Amount = 130
    link = LinkedTxn()
    link.TxnId, link.TxnType = invoice.Id, "Invoice"
    line.LinkedTxn.append(link)
    payment.Line.append(line)
    payment.save(qb=qb)
    settled = Invoice.get(invoice.Id, qb=qb)
    with pytest.raises(QuickbooksException) as refused:
        settled.void(qb=qb)
    assert "payments applied" in _error(refused)[1]
    assert Invoice.get(invoice.Id, qb=qb).TotalAmt == 130.0
