"""What happens in QuickBooks comes back (issue 15): payments full and partial, voids, deletes,
renames, deactivation and merges through the API, all seen by one CDC call in QuickBooks' shapes
(real samples: qbo_cdc_response.json, qbo_cdc_deleted_invoice.xml)."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

from tests.fixtures.sandbox import invoice_body
from tests.sandbox.accounting.shapes import differences
from tests.shared_data import fixture_path

SAMPLES = fixture_path("qbo", "samples")
NS = "{http://schema.intuit.com/finance/v3}"


def _since(minutes=5) -> str:
    return (datetime.now(timezone.utc) - timedelta(minutes=minutes)).isoformat(timespec="seconds")


def _pay(api, customer_id, invoice_id, amount):
    return api.post("payment", {"CustomerRef": {"value": customer_id}, "TotalAmt": amount,
                                "Line": [{"Amount": amount,
                                          "LinkedTxn": [{"TxnId": invoice_id, "TxnType": "Invoice"}]}]})


def _cdc(api, since, entities="Invoice,Payment,Customer") -> dict:
    data = api.ok(api.get("cdc", entities=entities, changedSince=since))
    out = {}
    for response in data["CDCResponse"][0]["QueryResponse"]:
        for key, value in response.items():
            if isinstance(value, list):
                out[key] = {row["Id"]: row for row in value}
    return out


def test_partial_then_full_payment_moves_the_balance_and_links_both_ways(api, setup):
    invoice = api.create("Invoice", invoice_body(setup))  # 4 x 32.50 = 130.00
    customer = setup["customer"]["Id"]
    first = api.ok(_pay(api, customer, invoice["Id"], 50))["Payment"]
    partly = api.ok(api.get(f"invoice/{invoice['Id']}"))["Invoice"]
    assert (partly["Balance"], partly["TotalAmt"]) == (80, 130)
    assert {"TxnId": first["Id"], "TxnType": "Payment"} in partly["LinkedTxn"]
    assert first["Line"][0]["LinkedTxn"] == [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]
    second = api.ok(_pay(api, customer, invoice["Id"], 80))["Payment"]
    paid = api.ok(api.get(f"invoice/{invoice['Id']}"))["Invoice"]
    assert paid["Balance"] == 0
    assert [l["TxnId"] for l in paid["LinkedTxn"]] == [first["Id"], second["Id"]]
    assert api.ok(api.get(f"customer/{customer}"))["Customer"]["Balance"] == 0
    too_much = _pay(api, customer, invoice["Id"], 1)
    assert too_much.status_code == 400 and "open balance" in too_much.text


def test_payment_query_update_void_and_delete_give_the_balance_back(api, setup):
    invoice = api.create("Invoice", invoice_body(setup))
    payment = api.ok(_pay(api, setup["customer"]["Id"], invoice["Id"], 100))["Payment"]
    assert [p["Id"] for p in api.rows(f"SELECT * FROM Payment WHERE CustomerRef = '{setup['customer']['Id']}'")] \
        == [payment["Id"]]
    smaller = api.ok(api.post("payment", {**payment, "TotalAmt": 30,
                                          "Line": [{"Amount": 30, "LinkedTxn": payment["Line"][0]["LinkedTxn"]}]}))
    assert smaller["Payment"]["SyncToken"] == "1"
    assert api.ok(api.get(f"invoice/{invoice['Id']}"))["Invoice"]["Balance"] == 100
    voided = api.ok(api.post("payment", {"Id": payment["Id"], "SyncToken": "1", "sparse": True},
                             operation="update", include="void"))["Payment"]
    assert (voided["TotalAmt"], voided["PrivateNote"]) == (0, "Voided")
    back = api.ok(api.get(f"invoice/{invoice['Id']}"))["Invoice"]
    assert back["Balance"] == 130 and not any(l["TxnType"] == "Payment" for l in back["LinkedTxn"])
    other = api.ok(_pay(api, setup["customer"]["Id"], invoice["Id"], 130))["Payment"]
    api.ok(api.post("payment", {"Id": other["Id"], "SyncToken": other["SyncToken"]}, operation="delete"))
    assert api.ok(api.get(f"invoice/{invoice['Id']}"))["Invoice"]["Balance"] == 130
    assert api.get(f"payment/{other['Id']}").json()["Fault"]["Error"][0]["code"] == "610"


def test_one_cdc_poll_returns_every_change_with_deleted_objects_as_tombstones(api, app, setup):
    from qbo_sandbox.accounting import bookkeeping
    from qbo_sandbox.accounting.company import ensure_company
    from qbo_sandbox.accounting.context import Ctx

    customer = setup["customer"]["Id"]
    paid, voided, deleted = (api.create("Invoice", invoice_body(setup)) for _ in range(3))
    payment = api.ok(_pay(api, customer, paid["Id"], 130))["Payment"]
    api.ok(api.post("invoice", {"Id": voided["Id"], "SyncToken": "0"}, operation="void"))
    api.ok(api.post("invoice", {"Id": deleted["Id"], "SyncToken": "0"}, operation="delete"))
    renamed = api.create("Customer", {"DisplayName": "Brooks, Ann"})
    api.ok(api.post("customer", {"Id": renamed["Id"], "SyncToken": "0", "sparse": True,
                                 "DisplayName": "Brooks-Hall, Ann"}))
    inactive = api.create("Customer", {"DisplayName": "Chen, Li"})
    api.ok(api.post("customer", {"Id": inactive["Id"], "SyncToken": "0", "sparse": True, "Active": False}))
    loser = api.create("Customer", {"DisplayName": "Alvarez, M."})
    store = app.extensions["qbo_sandbox.store"]
    with store.transaction() as tx:
        ctx = Ctx(tx, api.realm, ensure_company(tx, api.realm))
        bookkeeping.merge_customers(ctx, loser["Id"], customer)

    changes = _cdc(api, _since())
    assert changes["Invoice"][paid["Id"]]["Balance"] == 0
    assert changes["Payment"][payment["Id"]]["TotalAmt"] == 130
    assert changes["Invoice"][voided["Id"]]["PrivateNote"] == "Voided"
    assert changes["Customer"][renamed["Id"]]["DisplayName"] == "Brooks-Hall, Ann"
    assert changes["Customer"][inactive["Id"]]["Active"] is False  # inactive names stay in CDC
    for tomb in (changes["Invoice"][deleted["Id"]], changes["Customer"][loser["Id"]]):
        assert tomb["status"] == "Deleted" and set(tomb) == {"domain", "status", "Id", "MetaData"}
        assert set(tomb["MetaData"]) == {"LastUpdatedTime"}
    assert _cdc(api, _since(minutes=-60)) == {}  # nothing changed after a later watermark


def test_cdc_envelope_and_tombstone_match_the_real_samples(api, setup):
    invoice = api.create("Invoice", invoice_body(setup))
    payment = api.ok(_pay(api, setup["customer"]["Id"], invoice["Id"], 10))["Payment"]
    api.ok(api.post("payment", {"Id": payment["Id"], "SyncToken": "0"}, operation="delete"))
    data = api.ok(api.get("cdc", entities="Payment,Invoice", changedSince=_since()))
    sample = json.loads((SAMPLES / "qbo_cdc_response.json").read_text())
    envelope = json.loads(json.dumps(data))
    mine = envelope["CDCResponse"][0]["QueryResponse"]
    theirs = sample["CDCResponse"][0]["QueryResponse"][0]
    theirs.pop("Estimate")
    rows = [r.pop("Payment", None) or r.pop("Invoice") for r in mine]
    assert differences(theirs, mine[0]) == [] and differences(sample, {**envelope, "CDCResponse": [
        {"QueryResponse": [theirs]}]}) == []
    tomb = rows[0][0]
    xml_payment_like = ET.fromstring((SAMPLES / "qbo_cdc_deleted_invoice.xml").read_text()).find(
        f"{NS}CDCResponse/{NS}QueryResponse/{NS}Invoice")
    assert set(tomb) == set(xml_payment_like.attrib) | {c.tag.replace(NS, "") for c in xml_payment_like}
    assert tomb == {"domain": "QBO", "status": "Deleted", "Id": payment["Id"],
                    "MetaData": {"LastUpdatedTime": tomb["MetaData"]["LastUpdatedTime"]}}
    assert rows[1][0]["Balance"] == 130  # the invoice the deleted payment gave its balance back to


def test_renaming_and_deactivating_a_customer_through_the_api(api, setup):
    customer = setup["customer"]
    renamed = api.ok(api.post("customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"],
                                           "sparse": True, "DisplayName": "Alvarez-Ruiz, Maria"}))["Customer"]
    assert (renamed["DisplayName"], renamed["FullyQualifiedName"], renamed["Id"]) == \
        ("Alvarez-Ruiz, Maria", "Alvarez-Ruiz, Maria", customer["Id"])
    off = api.ok(api.post("customer", {"Id": customer["Id"], "SyncToken": renamed["SyncToken"],
                                       "sparse": True, "Active": False}))["Customer"]
    assert off["Active"] is False
    assert api.rows("SELECT * FROM Customer") == []  # name lists answer active entities only
    assert [c["Id"] for c in api.rows("SELECT * FROM Customer WHERE Active = false")] == [customer["Id"]]
