"""python-quickbooks 0.9.12 against the live sandbox: the exceptions it raises must be the ones it
raises against Intuit (PROTOCOL.md §6, `handle_exceptions`)."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from intuitlib.client import AuthClient
from quickbooks import QuickBooks
from quickbooks.batch import batch_create, batch_delete
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import (AuthorizationException, ObjectNotFoundException,
                                   QuickbooksException, UnsupportedException, ValidationException)
from quickbooks.objects.customer import Customer
from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
from quickbooks.objects.invoice import Invoice
from quickbooks.objects.item import Item
from quickbooks.objects.payment import Payment, PaymentLine
from quickbooks.objects.base import LinkedTxn
from quickbooks.objects.vendor import Vendor

from qbo_sandbox import oauth
from tests.fixtures.sandbox import CLIENT_ID, CLIENT_SECRET, OTHER_REALM, REALM, REDIRECT


def _customer(qb, name, **attrs) -> Customer:
    customer = Customer()
    customer.DisplayName = name
    for key, value in attrs.items():
        setattr(customer, key, value)
    return customer.save(qb=qb)


def _item(qb, name="Personal Care", price=32.5) -> Item:
    account = [a for a in __import__("quickbooks.objects.account", fromlist=["Account"]).Account
               .filter(Name="Services", qb=qb)][0]
    item = Item()
    item.Name = name
    item.Type = "Service"
    item.UnitPrice = price
    item.IncomeAccountRef = account.to_ref()
    return item.save(qb=qb)


def _invoice(qb, customer, item, qty=4, price=32.5, amount=None, **attrs) -> Invoice:
    invoice = Invoice()
    line = SalesItemLine()
    line.Amount = amount if amount is not None else round(qty * price, 2)
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = item.to_ref()
    line.SalesItemLineDetail.Qty = qty
    line.SalesItemLineDetail.UnitPrice = price
    invoice.Line.append(line)
    invoice.CustomerRef = customer.to_ref()
    for key, value in attrs.items():
        setattr(invoice, key, value)
    return invoice.save(qb=qb)


def test_customer_create_read_update_query(qb):
    created = _customer(qb, "Doe, Jane", GivenName="Jane", FamilyName="Doe")
    assert created.Id and created.SyncToken == "0" and created.FullyQualifiedName == "Doe, Jane"
    fetched = Customer.get(created.Id, qb=qb)
    assert fetched.DisplayName == "Doe, Jane" and fetched.Balance == 0
    fetched.Notes = "Prefers mornings"
    updated = fetched.save(qb=qb)
    assert updated.SyncToken == "1" and updated.Notes == "Prefers mornings"
    assert [c.Id for c in Customer.filter(DisplayName="Doe, Jane", qb=qb)] == [created.Id]
    assert Customer.count(qb=qb) == 1
    assert [c.DisplayName for c in Customer.all(order_by="DisplayName", qb=qb)] == ["Doe, Jane"]


def test_escaped_quote_and_where_paging(qb):
    for name in ("Amy's Bird Sanctuary", "Bill's Windsurf Shop", "Cool Cars", "Diego Rodriguez"):
        _customer(qb, name)
    found = Customer.filter(DisplayName="Amy's Bird Sanctuary", qb=qb)
    assert [c.DisplayName for c in found] == ["Amy's Bird Sanctuary"]
    page = Customer.where("DisplayName LIKE '%o%'", order_by="DisplayName DESC", start_position=2,
                          max_results=1, qb=qb)
    assert [c.DisplayName for c in page] == ["Cool Cars"]
    chosen = Customer.choose(["1", "3"], field="Id", qb=qb)
    assert sorted(c.Id for c in chosen) == ["1", "3"]


def test_sub_customer_and_item_all_with_sku(qb):
    parent = _customer(qb, "Medicaid Waiver")
    child = Customer()
    child.DisplayName = "Lopez, Ana - Waiver"
    child.Job = True
    child.ParentRef = parent.to_ref()
    child = child.save(qb=qb)
    assert child.Level == 1 and child.FullyQualifiedName == "Medicaid Waiver:Lopez, Ana - Waiver"
    item = _item(qb)
    item.Sku = "PC-01"
    item.save(qb=qb)
    names = {i.Name: i for i in Item.all(qb=qb)}
    assert names["Personal Care"].Sku == "PC-01"


def test_invoice_payment_void_delete(qb):
    customer = _customer(qb, "Nguyen, Bao")
    item = _item(qb)
    invoice = _invoice(qb, customer, item)
    assert invoice.TotalAmt == 130.0 and invoice.Balance == 130.0 and invoice.DocNumber
    payment = Payment()
    payment.TotalAmt = 30
    payment.CustomerRef = customer.to_ref()
    line = PaymentLine()
    line.Amount = 30
    link = LinkedTxn()
    link.TxnId = invoice.Id
    link.TxnType = "Invoice"
    line.LinkedTxn.append(link)
    payment.Line.append(line)
    payment = payment.save(qb=qb)
    after = Invoice.get(invoice.Id, qb=qb)
    assert after.Balance == 100.0
    assert {"TxnId": payment.Id, "TxnType": "Payment"} in [
        {"TxnId": l.TxnId, "TxnType": l.TxnType} for l in after.LinkedTxn]
    assert Customer.get(customer.Id, qb=qb).Balance == 100.0
    payment.void(qb=qb)  # operation=update&include=void
    assert Invoice.get(invoice.Id, qb=qb).Balance == 130.0
    fresh = Invoice.get(invoice.Id, qb=qb)
    fresh.void(qb=qb)  # operation=void
    voided = Invoice.get(invoice.Id, qb=qb)
    assert voided.TotalAmt == 0 and voided.PrivateNote == "Voided"
    voided.delete(qb=qb)
    with pytest.raises(ObjectNotFoundException):
        Invoice.get(invoice.Id, qb=qb)


def test_batch_and_cdc(qb):
    # pyqb drops the offset of a datetime; a string keeps it (QBO reads naive times as Pacific).
    since = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat(timespec="seconds")
    customers = []
    for name in ("Batch One", "Batch Two", "Batch One"):
        c = Customer()
        c.DisplayName = name
        customers.append(c)
    result = batch_create(customers, qb=qb)
    assert sorted(c.DisplayName for c in result.successes) == ["Batch One", "Batch Two"]
    assert len(result.faults) == 1 and result.faults[0].Error[0].code == "6240"
    vendor = Vendor()
    vendor.DisplayName = "Mobility Supplies Inc"
    vendor.save(qb=qb)
    cdc = change_data_capture([Customer, Vendor], since, qb=qb)
    assert sorted(c.DisplayName for c in cdc.Customer) == ["Batch One", "Batch Two"]
    assert [v.DisplayName for v in cdc.Vendor] == ["Mobility Supplies Inc"]
    item = _item(qb)
    invoices = [_invoice(qb, result.successes[0], item) for _ in range(2)]
    deleted = batch_delete(invoices, qb=qb)
    assert len(deleted.successes) == 2 and not deleted.faults


def test_requestid_replays_the_original_response(qb):
    first = Customer()
    first.DisplayName = "Replay Person"
    a = first.save(qb=qb, request_id="export-42")
    again = Customer()
    again.DisplayName = "Replay Person"
    b = again.save(qb=qb, request_id="export-42")  # would be 6240 if executed again
    assert a.Id == b.Id
    assert Customer.count(qb=qb) == 1


# --- each error, with the exception python-quickbooks raises for it ------------------------------

def test_duplicate_name_across_vendor_is_plain_quickbooks_exception(qb):
    vendor = Vendor()
    vendor.DisplayName = "Kim, Grace"
    vendor.save(qb=qb)
    with pytest.raises(QuickbooksException) as info:
        _customer(qb, "kim, grace")
    assert type(info.value) is QuickbooksException and info.value.error_code == 6240


def test_amount_rule_6070(qb):
    customer, item = _customer(qb, "Amount Check"), _item(qb)
    with pytest.raises(QuickbooksException) as info:
        _invoice(qb, customer, item, qty=3, price=19.99, amount=58)
    assert type(info.value) is QuickbooksException and info.value.error_code == 6070
    assert "Supplied value:58" in info.value.detail


def test_missing_lines_2020_and_invalid_reference_2500(qb):
    customer = _customer(qb, "Needs Lines")
    invoice = Invoice()
    invoice.CustomerRef = customer.to_ref()
    with pytest.raises(ValidationException) as info:
        invoice.save(qb=qb)
    assert info.value.error_code == 2020
    ghost = Item()
    ghost.Id = "999"
    ghost.Name = "Ghost"
    with pytest.raises(ValidationException) as info:
        _invoice(qb, customer, ghost)
    assert info.value.error_code == 2500


def test_inactive_item_610(qb):
    customer, item = _customer(qb, "Inactive Item User"), _item(qb)
    item.Active = False
    item.save(qb=qb)
    with pytest.raises(ObjectNotFoundException) as info:
        _invoice(qb, customer, item)
    assert info.value.error_code == 610


def test_docnumber_length_and_duplicate(qb):
    customer, item = _customer(qb, "Doc Numbers"), _item(qb)
    with pytest.raises(ValidationException) as info:
        _invoice(qb, customer, item, DocNumber="X" * 22)
    assert info.value.error_code == 2050
    _invoice(qb, customer, item, DocNumber="INV-7")
    with pytest.raises(QuickbooksException) as info:
        _invoice(qb, customer, item, DocNumber="INV-7")
    assert info.value.error_code == 6140


def test_stale_synctoken_5010(qb):
    customer = _customer(qb, "Stale Token")
    copy = Customer.get(customer.Id, qb=qb)
    customer.Notes = "first writer"
    customer.save(qb=qb)
    copy.Notes = "second writer"
    with pytest.raises(QuickbooksException) as info:
        copy.save(qb=qb)
    assert info.value.error_code == 5010


def test_unknown_property_2010(qb):
    customer = Customer()
    customer.DisplayName = "Odd Fields"
    customer.BadJson = "x"
    with pytest.raises(ValidationException) as info:
        customer.save(qb=qb)
    assert info.value.error_code == 2010 and "BadJson" in info.value.detail


def test_bad_queries_4001(qb):
    with pytest.raises(ValidationException) as info:
        qb.query("SELECT * FROM Custmoer")
    assert info.value.error_code == 4001 and "Custmoer" in info.value.detail
    with pytest.raises(ValidationException) as info:
        qb.query("SELECT * FROM Customer STARTPOSITION 0")
    assert "value 0 is too small" in info.value.detail


def test_invalid_id_2030_and_unknown_path_500(qb):
    with pytest.raises(ValidationException) as info:
        Customer.get("1.5", qb=qb)
    assert info.value.error_code == 2030
    with pytest.raises(UnsupportedException) as info:
        qb.get(f"{qb.api_url}/company/{REALM}/customer/1/5", {})
    assert info.value.error_code == 500


def test_expired_token_401(app, live):
    app.extensions["qbo_sandbox.knobs"].access_token_lifetime = 1
    tokens = oauth.issue_tokens_for_tests(app, CLIENT_ID, REALM)
    auth_client = AuthClient(CLIENT_ID, CLIENT_SECRET, REDIRECT, environment=live.discovery_url)
    auth_client.access_token = tokens["access_token"]
    client = QuickBooks(auth_client=auth_client, refresh_token=tokens["refresh_token"],
                        company_id=REALM, minorversion=75)
    client.api_url_v3 = live.base_url + "/v3"
    time.sleep(2.1)
    with pytest.raises(AuthorizationException) as info:
        Customer.all(qb=client)
    assert info.value.error_code == 401 and "Token expired" in info.value.detail


def test_token_for_another_realm_403(qb):
    qb.company_id = OTHER_REALM  # the token was issued for REALM
    with pytest.raises(QuickbooksException) as info:
        Customer.all(qb=qb)
    assert info.value.error_code == 10000 and "403" in str(info.value.message)


def test_throttle_429_surfaces_as_unreadable_json(qb, app):
    knobs = app.extensions["qbo_sandbox.knobs"]
    knobs.throttle_enabled = True
    knobs.throttle_limits["per_realm_app_per_second"] = 2
    with pytest.raises(QuickbooksException) as info:
        for _ in range(5):
            Customer.count(qb=qb)
    assert info.value.error_code == 10000 and "ThrottleExceeded" in info.value.message
