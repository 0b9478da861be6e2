"""A batch request runs in one transaction with a savepoint per item: each item still succeeds or
fails on its own, as at Intuit, later items see what earlier ones wrote, and the store's
searches by doc number and customer go through their own indexes (not a scan of the type)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import event

from tests.fixtures.sandbox import REALM, invoice_body


def _batch(api, *items) -> list[dict]:
    body = {"BatchItemRequest": [dict(item, bId=str(n)) for n, item in enumerate(items, start=1)]}
    return api.ok(api.post("batch", body))["BatchItemResponse"]


def test_a_refused_item_writes_nothing_and_the_items_around_it_stand(api, setup):
    # Refused after its rules drew the next DocNumber (no BillEmail for NeedToSend).
    refused = invoice_body(setup, EmailStatus="NeedToSend")
    answers = _batch(api, {"operation": "create", "Invoice": invoice_body(setup)},
                     {"operation": "create", "Invoice": refused},
                     {"operation": "create", "Invoice": invoice_body(setup)})
    assert ["Fault" in answer for answer in answers] == [False, True, False]
    first, third = answers[0]["Invoice"], answers[2]["Invoice"]
    assert int(third["DocNumber"]) == int(first["DocNumber"]) + 1  # the refused item's number went back
    assert sorted(doc["Id"] for doc in api.rows("SELECT * FROM Invoice")) == sorted([first["Id"], third["Id"]])
    customer = api.ok(api.get(f"customer/{setup['customer']['Id']}"))["Customer"]
    assert Decimal(str(customer["Balance"])) == Decimal(str(first["TotalAmt"])) + Decimal(str(third["TotalAmt"]))
    after = api.create("Invoice", invoice_body(setup))
    assert int(after["DocNumber"]) == int(third["DocNumber"]) + 1


def test_later_items_see_what_earlier_items_of_the_same_batch_wrote(api, setup):
    answers = _batch(api, {"operation": "create", "Customer": {"DisplayName": "Twice, Named"}},
                     {"operation": "create", "Customer": {"DisplayName": "Twice, Named"}},
                     {"operation": "create", "Invoice": invoice_body(setup, DocNumber="B-77")},
                     {"operation": "create", "Invoice": invoice_body(setup, DocNumber="B-77")})
    codes = [answer.get("Fault", {}).get("Error", [{}])[0].get("code") for answer in answers]
    assert codes == [None, "6240", None, "6140"]
    assert len(api.rows("SELECT * FROM Customer WHERE DisplayName = 'Twice, Named'")) == 1
    assert len(api.rows("SELECT * FROM Invoice WHERE DocNumber = 'B-77'")) == 1


def test_a_replayed_batch_answers_the_same_and_writes_nothing_more(api, setup):
    items = [{"bId": "1", "operation": "create", "Invoice": invoice_body(setup)},
             {"bId": "2", "operation": "create", "Invoice": invoice_body(setup, EmailStatus="NeedToSend")}]
    first = api.ok(api.post("batch", {"BatchItemRequest": items}, requestid="one-transaction"))
    again = api.ok(api.post("batch", {"BatchItemRequest": items}, requestid="one-transaction"))
    assert first == again
    assert len(api.rows("SELECT * FROM Invoice")) == 1


def _plans(app, search) -> list[str]:
    """SQLite's query plan of every statement `search(tx)` runs."""
    engine = app.extensions["qbo_sandbox.engine"]
    statements = []

    def note(_conn, _cursor, sql, params, _context, _many):
        statements.append((sql, params))

    store = app.extensions["qbo_sandbox.store"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        with store.transaction() as tx:
            search(tx)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    with engine.connect() as conn:
        return [" ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
                for sql, params in statements]


def test_searches_by_doc_number_and_customer_use_their_indexes(app, api, setup):
    api.create("Invoice", invoice_body(setup, DocNumber="IX-1"))
    customer = int(setup["customer"]["Id"])
    assert _plans(app, lambda tx: tx.doc_number_owner(REALM, "Invoice", "IX-1", None)) == [
        "SEARCH sandbox_entity USING INDEX ix_sandbox_entity_docnum (realm_id=? AND type=? AND doc_number=?)"]
    for search in (lambda tx: tx.by_customer(REALM, "Invoice", [customer]),
                   lambda tx: tx.children(REALM, "Customer", customer)):
        assert _plans(app, search) == [
            "SEARCH sandbox_entity USING INDEX ix_sandbox_entity_customer (realm_id=? AND type=? AND customer_id=?)"]
