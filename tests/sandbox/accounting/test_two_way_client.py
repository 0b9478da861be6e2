"""Two-way sync through python-quickbooks 0.9.12 (it has Payment): partial and full payments,
payment read/query/update/delete, and the CDC poll the host's poller makes, deleted objects
included."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import ObjectNotFoundException
from quickbooks.objects.base import LinkedTxn
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.payment import Payment, PaymentLine

from tests.sandbox.accounting.test_python_quickbooks import _customer, _invoice, _item


def _payment(qb, customer, invoice, amount) -> Payment:
    payment = Payment()
    payment.TotalAmt = amount
    payment.CustomerRef = customer.to_ref()
    line = PaymentLine()
    line.Amount = amount
    link = LinkedTxn()
    link.TxnId = invoice.Id
    link.TxnType = "Invoice"
    line.LinkedTxn.append(link)
    payment.Line.append(line)
    return payment.save(qb=qb)


def test_partial_and_full_payment_read_query_update_delete(qb):
    customer = _customer(qb, "Okafor, Grace")
    invoice = _invoice(qb, customer, _item(qb))  # 130.00
    partial = _payment(qb, customer, invoice, 40)
    assert Invoice.get(invoice.Id, qb=qb).Balance == 90.0
    rest = _payment(qb, customer, invoice, 90)
    paid = Invoice.get(invoice.Id, qb=qb)
    assert paid.Balance == 0
    assert sorted(l.TxnId for l in paid.LinkedTxn if l.TxnType == "Payment") == sorted([partial.Id, rest.Id])
    assert sorted(p.Id for p in Payment.filter(CustomerRef=customer.Id, qb=qb)) == sorted([partial.Id, rest.Id])
    again = Payment.get(partial.Id, qb=qb)
    assert again.TotalAmt == 40.0 and again.Line[0].LinkedTxn[0].TxnId == invoice.Id
    again.PaymentRefNum = "CHK-1042"
    again.save(qb=qb)
    assert Payment.get(partial.Id, qb=qb).PaymentRefNum == "CHK-1042"
    Payment.get(rest.Id, qb=qb).delete(qb=qb)
    assert Invoice.get(invoice.Id, qb=qb).Balance == 90.0
    with pytest.raises(ObjectNotFoundException):
        Payment.get(rest.Id, qb=qb)


def test_cdc_through_the_client_sees_payments_voids_and_deletes(qb):
    since = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat(timespec="seconds")
    customer = _customer(qb, "Silva, Rosa")
    item = _item(qb)
    paid, voided, deleted = (_invoice(qb, customer, item) for _ in range(3))
    payment = _payment(qb, customer, paid, 130)
    Invoice.get(voided.Id, qb=qb).void(qb=qb)
    Invoice.get(deleted.Id, qb=qb).delete(qb=qb)
    cdc = change_data_capture([Invoice, Payment, Customer], since, qb=qb)
    invoices = {i.Id: i for i in cdc.Invoice}
    assert invoices[paid.Id].Balance == 0
    assert invoices[voided.Id].PrivateNote == "Voided" and invoices[voided.Id].TotalAmt == 0
    assert getattr(invoices[deleted.Id], "status", None) == "Deleted"
    assert [p.Id for p in cdc.Payment] == [payment.Id]
    assert [c.DisplayName for c in cdc.Customer] == ["Silva, Rosa"]
