"""QuickBooks as it is at the end of 2026 (PROTOCOL.md §11), through python-quickbooks where a
client would meet it: read metering, closing date, Line Ids, " (deleted)", ISO-3 countries, the
new faults, and fields added without a minor version."""
from __future__ import annotations

import pytest
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.company_info import CompanyInfo
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice

from tests.fixtures.sandbox import REALM, invoice_body
from tests.sandbox.accounting.test_python_quickbooks import _customer, _invoice, _item


def _control(app):
    app.config["KNOBS_HTTP_ENABLED"] = True
    return app.test_client()


def test_past_the_coreplus_cap_reads_answer_429_and_writes_still_work(app, qb):
    app.config["COREPLUS_CAP"] = 3
    customer = _customer(qb, "Metered, Mary")          # a write: not metered
    item = _item(qb)                                    # one read (Account.filter) + a write
    Customer.get(customer.Id, qb=qb)                    # read 2
    CompanyInfo.get(REALM, qb=qb)                       # read 3
    with pytest.raises(QuickbooksException) as refused:
        Customer.all(qb=qb)
    assert refused.value.error_code in (429, "003001") or "CorePlus" in str(refused.value.detail)
    invoice = _invoice(qb, customer, item)              # writes go on past the cap
    assert invoice.Id
    usage = app.extensions["qbo_sandbox.usage"].this_month()["realms"][REALM]
    assert usage == {"reads": 3, "writes": 3}


def test_the_cap_lifts_when_the_month_turns(app, api, tmp_path):
    from qbo_sandbox import clock
    from tests.fixtures.sandbox import make_api
    app.config["COREPLUS_CAP"] = 1
    assert api.query("SELECT * FROM Customer").status_code == 200
    capped = api.query("SELECT * FROM Customer")
    assert capped.status_code == 429 and "CorePlus monthly limit" in capped.text
    web = _control(app)
    try:
        assert web.post("/_sandbox/clock", json={"advance_days": 32}).status_code == 200
        fresh = make_api(app)  # the old access token expired on the way
        assert fresh.query("SELECT * FROM Customer").status_code == 200
        assert web.get("/_sandbox/usage").get_json()["realms"] == {REALM: {"reads": 1, "writes": 0}}
    finally:
        clock.set_shift(clock.shift() * 0)


def test_usage_endpoint_counts_reads_and_writes_per_realm_batches_included(app, api, setup):
    api.post("batch", {"BatchItemRequest": [
        {"bId": "1", "Query": "SELECT * FROM Item"},
        {"bId": "2", "operation": "create", "Customer": {"DisplayName": "Batch, Bea"}}]})
    counts = _control(app).get("/_sandbox/usage").get_json()["realms"][REALM]
    # setup: 1 query + 3 creates; the batch: 1 query + 1 create
    assert counts == {"reads": 2, "writes": 4}


def test_a_closing_date_refuses_older_transactions_with_5010(app, api, setup):
    web = _control(app)
    old = api.create("Invoice", invoice_body(setup, TxnDate="2026-05-02"))
    answer = web.post("/_sandbox/preferences", json={"AccountingInfoPrefs": {"BookCloseDate": "2026-06-30"}})
    assert answer.status_code == 200
    refused = api.post("invoice", invoice_body(setup, TxnDate="2026-06-30"))
    error = refused.json()["Fault"]["Error"][0]
    assert refused.status_code == 400 and error["code"] == "5010"
    assert error["Message"] == "Account Period Closed" and error["Detail"].startswith("The account period has closed.")
    assert api.post("invoice", dict(old, sparse=True, PrivateNote="late"), operation="update"
                    ).json()["Fault"]["Error"][0]["code"] == "5010"
    assert api.post("invoice", {"Id": old["Id"], "SyncToken": old["SyncToken"]}, operation="void"
                    ).json()["Fault"]["Error"][0]["code"] == "5010"
    assert api.create("Invoice", invoice_body(setup, TxnDate="2026-07-01"))["Id"]
    assert api.get("preferences").json()["Preferences"]["AccountingInfoPrefs"]["BookCloseDate"] == "2026-06-30"


def test_line_ids_are_kept_on_update_and_new_lines_numbered_after(qb):
    customer, item = _customer(qb, "Lines, Lou"), _item(qb)
    invoice = _invoice(qb, customer, item)
    invoice = Invoice.get(invoice.Id, qb=qb)
    first = [l for l in invoice.Line if l.DetailType == "SalesItemLineDetail"]
    assert [l.Id for l in first] == ["1"]
    extra = _invoice.__globals__["SalesItemLine"]()
    extra.Amount = 65
    extra.SalesItemLineDetail = _invoice.__globals__["SalesItemLineDetail"]()
    extra.SalesItemLineDetail.ItemRef = item.to_ref()
    extra.SalesItemLineDetail.Qty = 2
    extra.SalesItemLineDetail.UnitPrice = 32.5
    invoice.Line = [extra] + first   # a new line first, the old one after it
    saved = invoice.save(qb=qb)
    ids = [l.Id for l in saved.Line if l.DetailType == "SalesItemLineDetail"]
    assert ids == ["2", "1"]


def test_inactive_names_get_the_deleted_suffix_when_the_knob_is_on(app, qb):
    app.config["DELETED_NAME_SUFFIX"] = True
    customer = _customer(qb, "Gone, Gus")
    customer.Active = False
    customer = customer.save(qb=qb)
    assert customer.DisplayName == "Gone, Gus (deleted)"
    assert _customer(qb, "Gone, Gus").Id != customer.Id  # the plain name is free again
    customer.Active = True
    customer.DisplayName = "Gone, Gus (deleted)"
    with pytest.raises(QuickbooksException):  # back to "Gone, Gus": taken by the new one
        customer.save(qb=qb)


def test_company_addresses_carry_iso3_countries_and_no_lat_long(qb):
    info = CompanyInfo.get(REALM, qb=qb)
    for addr in (info.CompanyAddr, info.CustomerCommunicationAddr, info.LegalAddr):
        assert addr.Country == "USA"
        assert getattr(addr, "Lat", None) in (None, "") and getattr(addr, "Long", None) in (None, "")


def test_a_sub_customer_without_parent_is_6150(api):
    refused = api.post("customer", {"DisplayName": "Orphan Job", "Job": True})
    error = refused.json()["Fault"]["Error"][0]
    assert refused.status_code == 400 and error["code"] == "6150"
    assert error["Message"] == "ParentRef Required Error"


def test_voiding_an_invoice_a_payment_settles_is_refused(api, setup):
    invoice = api.create("Invoice", invoice_body(setup))
    api.create("Payment", {"CustomerRef": {"value": setup["customer"]["Id"]}, "TotalAmt": 130,
                           "Line": [{"Amount": 130, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}]})
    current = api.get(f"invoice/{invoice['Id']}").json()["Invoice"]
    refused = api.post("invoice", {"Id": current["Id"], "SyncToken": current["SyncToken"]}, operation="void")
    assert refused.status_code == 400 and "payments applied" in refused.text
    assert api.get(f"invoice/{invoice['Id']}").json()["Invoice"]["TotalAmt"] == 130


def test_an_inventory_line_without_quantity_is_6520(api, setup):
    asset = api.create("Account", {"Name": "Inventory Asset", "AccountType": "Other Current Asset",
                                   "AccountSubType": "Inventory"})
    stock = api.create("Item", {"Name": "Grab Bar", "Type": "Inventory", "QtyOnHand": 10,
                                "InvStartDate": "2026-01-01", "UnitPrice": 40,
                                "IncomeAccountRef": {"value": setup["income"]["Id"]},
                                "AssetAccountRef": {"value": asset["Id"]}})
    body = {"CustomerRef": {"value": setup["customer"]["Id"]}, "Line": [
        {"Amount": 40, "DetailType": "SalesItemLineDetail",
         "SalesItemLineDetail": {"ItemRef": {"value": stock["Id"]}}}]}
    refused = api.post("invoice", body)
    assert refused.status_code == 400 and refused.json()["Fault"]["Error"][0]["code"] == "6520"


def test_python_quickbooks_tolerates_fields_added_without_a_minor_version(app, qb, api):
    app.config["UNKNOWN_RESPONSE_FIELDS"] = True
    raw = api.query("SELECT * FROM Customer").json()
    assert "SandboxFieldAddedIn2026" in raw
    customer = _customer(qb, "Future, Fay")
    assert Customer.get(customer.Id, qb=qb).DisplayName == "Future, Fay"
    assert any(c.Id == customer.Id for c in Customer.all(qb=qb))
    assert CompanyInfo.get(REALM, qb=qb).CompanyName
