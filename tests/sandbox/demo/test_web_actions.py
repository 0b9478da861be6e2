"""The browser view's buttons: Receive payment (full and partial), Void, Delete on an invoice;
Rename, Make inactive and Merge into… on a customer. Each needs the form's CSRF token, acts only
on the signed-in user's company, and says in plain words what QuickBooks refused."""
from __future__ import annotations

import re

import pytest

from qbo_sandbox import webhooks
from tests.fixtures.sandbox import OTHER_REALM, REALM, invoice_body, make_api, web_client


@pytest.fixture
def web(app):
    client = web_client(app)
    yield client
    client.close()


def _csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _press(web, page_url, action, **form):
    page = web.get(page_url)
    assert page.status_code == 200, page.text
    return web.post(action, data={"csrf_token": _csrf(page), **form})


def _invoice_page(invoice_id, realm=REALM):
    return f"/app/invoice?txnId={invoice_id}&realmId={realm}"


def _customer_page(customer_id, realm=REALM):
    return f"/app/customerdetail?nameId={customer_id}&realmId={realm}"


def test_receive_a_partial_then_the_full_payment(api, setup, web):
    invoice = api.create("Invoice", invoice_body(setup))
    page = web.get(_invoice_page(invoice["Id"]))
    assert "Receive payment" in page.text and 'value="130.00"' in page.text
    url = f"/app/invoice/receive-payment?txnId={invoice['Id']}&realmId={REALM}"
    done = _press(web, _invoice_page(invoice["Id"]), url, amount="30")
    assert done.status_code == 303
    after = web.get(done.headers["location"])
    assert "Payment of 30 received." in after.text and "Partially paid" in after.text
    assert api.ok(api.get(f"invoice/{invoice['Id']}"))["Invoice"]["Balance"] == 100
    _press(web, _invoice_page(invoice["Id"]), url, amount="100.00")
    paid = api.ok(api.get(f"invoice/{invoice['Id']}"))["Invoice"]
    assert paid["Balance"] == 0 and len([l for l in paid["LinkedTxn"] if l["TxnType"] == "Payment"]) == 2
    assert "Receive payment" not in web.get(_invoice_page(invoice["Id"])).text


def test_a_payment_above_the_balance_or_not_money_changes_nothing(api, setup, web):
    invoice = api.create("Invoice", invoice_body(setup))
    url = f"/app/invoice/receive-payment?txnId={invoice['Id']}&realmId={REALM}"
    for amount, words in (("500", "more than the open balance"), ("lots", "is not an amount of money"),
                          ("0", "greater than zero")):
        refused = _press(web, _invoice_page(invoice["Id"]), url, amount=amount)
        assert words in web.get(refused.headers["location"]).text
    assert api.rows("SELECT * FROM Payment") == []


def test_void_and_delete_buttons(api, setup, web):
    voided, deleted = api.create("Invoice", invoice_body(setup)), api.create("Invoice", invoice_body(setup))
    _press(web, _invoice_page(voided["Id"]), f"/app/invoice/void?txnId={voided['Id']}&realmId={REALM}")
    doc = api.ok(api.get(f"invoice/{voided['Id']}"))["Invoice"]
    assert (doc["TotalAmt"], doc["PrivateNote"], doc["SyncToken"]) == (0, "Voided", "1")
    gone = _press(web, _invoice_page(deleted["Id"]), f"/app/invoice/delete?txnId={deleted['Id']}&realmId={REALM}")
    assert gone.headers["location"].startswith("/app/invoices")
    assert api.get(f"invoice/{deleted['Id']}").json()["Fault"]["Error"][0]["code"] == "610"


def test_void_of_a_paid_invoice_is_refused_in_plain_words(api, setup, web):
    invoice = api.create("Invoice", invoice_body(setup))
    _press(web, _invoice_page(invoice["Id"]),
           f"/app/invoice/receive-payment?txnId={invoice['Id']}&realmId={REALM}", amount="130")
    refused = _press(web, _invoice_page(invoice["Id"]), f"/app/invoice/void?txnId={invoice['Id']}&realmId={REALM}")
    assert "payments applied" in web.get(refused.headers["location"]).text
    assert api.ok(api.get(f"invoice/{invoice['Id']}"))["Invoice"]["TotalAmt"] == 130


def test_rename_deactivate_and_merge_a_customer(api, setup, web):
    survivor = setup["customer"]
    loser = api.create("Customer", {"DisplayName": "Alvarez, M."})
    moved = api.create("Invoice", {**invoice_body(setup), "CustomerRef": {"value": loser["Id"]}})
    page = _customer_page(loser["Id"])
    _press(web, page, f"/app/customer/rename?nameId={loser['Id']}&realmId={REALM}", display_name="Alvarez, Marie")
    assert api.ok(api.get(f"customer/{loser['Id']}"))["Customer"]["DisplayName"] == "Alvarez, Marie"
    other = api.create("Customer", {"DisplayName": "Brooks, Ann"})
    _press(web, _customer_page(other["Id"]), f"/app/customer/active?nameId={other['Id']}&realmId={REALM}",
           active="false")
    assert api.ok(api.get(f"customer/{other['Id']}"))["Customer"]["Active"] is False
    assert "Make active" in web.get(_customer_page(other["Id"])).text
    merged = _press(web, page, f"/app/customer/merge?nameId={loser['Id']}&realmId={REALM}", into=survivor["Id"])
    assert merged.headers["location"].startswith("/app/customerdetail?")
    assert f"nameId={survivor['Id']}" in merged.headers["location"]
    assert api.get(f"customer/{loser['Id']}").json()["Fault"]["Error"][0]["code"] == "610"
    invoice = api.ok(api.get(f"invoice/{moved['Id']}"))["Invoice"]
    assert invoice["CustomerRef"]["value"] == survivor["Id"] and invoice["SyncToken"] == "1"
    assert api.ok(api.get(f"customer/{survivor['Id']}"))["Customer"]["Balance"] == 130


def test_a_duplicate_rename_or_self_merge_is_refused_and_changes_nothing(api, setup, web):
    customer = setup["customer"]
    api.create("Customer", {"DisplayName": "Taken, Name"})
    page = _customer_page(customer["Id"])
    refused = _press(web, page, f"/app/customer/rename?nameId={customer['Id']}&realmId={REALM}",
                     display_name="Taken, Name")
    assert "already exists" in web.get(refused.headers["location"]).text
    refused = _press(web, page, f"/app/customer/merge?nameId={customer['Id']}&realmId={REALM}", into=customer["Id"])
    assert "merged into itself" in web.get(refused.headers["location"]).text
    assert api.ok(api.get(f"customer/{customer['Id']}"))["Customer"]["SyncToken"] == customer["SyncToken"]


def test_every_button_needs_the_csrf_token(api, setup, web):
    invoice = api.create("Invoice", invoice_body(setup))
    for action, form in ((f"/app/invoice/receive-payment?txnId={invoice['Id']}&realmId={REALM}", {"amount": "10"}),
                         (f"/app/invoice/void?txnId={invoice['Id']}&realmId={REALM}", {}),
                         (f"/app/invoice/delete?txnId={invoice['Id']}&realmId={REALM}", {}),
                         (f"/app/customer/active?nameId={setup['customer']['Id']}&realmId={REALM}", {"active": "false"})):
        forged = web.post(action, data={"csrf_token": "forged", **form})
        assert "This form has expired" in web.get(forged.headers["location"]).text
    doc = api.ok(api.get(f"invoice/{invoice['Id']}"))["Invoice"]
    assert (doc["SyncToken"], doc["Balance"]) == ("0", 130)
    assert api.ok(api.get(f"customer/{setup['customer']['Id']}"))["Customer"]["Active"] is True


def test_a_user_cannot_act_on_another_company(app, web):
    other = make_api(app, realm=OTHER_REALM)
    income = other.rows("SELECT * FROM Account WHERE Name = 'Services'")[0]
    item = other.create("Item", {"Name": "Respite", "Type": "Service", "IncomeAccountRef": {"value": income["Id"]}})
    customer = other.create("Customer", {"DisplayName": "Other, Client"})
    invoice = other.create("Invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [
        {"Amount": 50, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}}}]})
    token = _csrf(web.get("/app/customers"))  # a valid token of the user's own session
    for action in (f"/app/invoice/void?txnId={invoice['Id']}&realmId={OTHER_REALM}",
                   f"/app/customer/active?nameId={customer['Id']}&realmId={OTHER_REALM}"):
        assert web.post(action, data={"csrf_token": token, "active": "false"}).status_code == 404
    assert other.ok(other.get(f"invoice/{invoice['Id']}"))["Invoice"]["SyncToken"] == "0"
    assert other.ok(other.get(f"customer/{customer['Id']}"))["Customer"]["Active"] is True
    other.http.close()


def test_buttons_feed_the_webhook_emitter(app, api, setup, web):
    emitter = webhooks.emitter_of(app)
    emitter.configure(enabled=True, urls=["http://127.0.0.1:9/never-called"], background=False)
    invoice = api.create("Invoice", invoice_body(setup))
    emitter.reset()  # only the button's changes from here
    emitter.configure(enabled=True, urls=["http://127.0.0.1:9/never-called"], background=False)
    _press(web, _invoice_page(invoice["Id"]),
           f"/app/invoice/receive-payment?txnId={invoice['Id']}&realmId={REALM}", amount="130")
    queued = emitter._targets["http://127.0.0.1:9/never-called"].pending
    assert {(e.entity, e.operation) for e in queued} >= {("Payment", "created"), ("Invoice", "updated")}


def test_buttons_work_behind_the_hosts_gate_with_the_sandbox_csrf_token(tmp_path):
    import httpx2

    from tests.fixtures.sandbox import build_app
    gated = build_app(tmp_path, db_name="gated.sqlite", WEB_VIEW_GATE=lambda environ: True)
    api = make_api(gated)
    income = api.rows("SELECT * FROM Account WHERE Name = 'Services'")[0]
    item = api.create("Item", {"Name": "Respite", "Type": "Service", "IncomeAccountRef": {"value": income["Id"]}})
    customer = api.create("Customer", {"DisplayName": "Gated, Client"})
    invoice = api.create("Invoice", {"CustomerRef": {"value": customer["Id"]}, "Line": [
        {"Amount": 50, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": item["Id"]}}}]})
    with httpx2.Client(transport=httpx2.WSGITransport(app=gated), base_url="http://sandbox.test") as browser:
        assert browser.post(f"/app/invoice/void?txnId={invoice['Id']}&realmId={REALM}",
                            data={"csrf_token": "forged"}).status_code == 303
        assert api.ok(api.get(f"invoice/{invoice['Id']}"))["Invoice"]["SyncToken"] == "0"
        _press(browser, _invoice_page(invoice["Id"]), f"/app/invoice/void?txnId={invoice['Id']}&realmId={REALM}")
    assert api.ok(api.get(f"invoice/{invoice['Id']}"))["Invoice"]["PrivateNote"] == "Voided"
    api.http.close()
