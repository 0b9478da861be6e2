"""Correct an exported invoice and Update it in QuickBooks (same Id, DocNumber and line Ids, the
SyncToken + 1, TotalAmt = corrected total − tax), and each refusal leaving QuickBooks as it was."""
from __future__ import annotations

from decimal import Decimal

from models.corrections import ActionStatus
from tests.corrections.conftest import (REALM, correct, money, qbo_invoice, record_of, update)
from tests.fixtures.sandbox import bookkeep, update_entity


def test_update_sends_the_correction_to_the_same_invoice(exported_books):
    books = exported_books
    invoice_id = books.invoice_ids[0]  # 3.5 h × 28.57 + 2 h × 31.00, and a tax line
    record = record_of(books, invoice_id)
    before = qbo_invoice(books, record.qbo_id)

    _revision, (subtotal, tax) = correct(books, invoice_id, {0: ("2.75", "28.57")})
    assert tax > 0 and subtotal == money(Decimal("2.75") * Decimal("28.57")) + Decimal("62.00")
    action = update(books, invoice_id)

    assert action.status == ActionStatus.DONE, action.message
    after = qbo_invoice(books, record.qbo_id)
    assert after["Id"] == before["Id"] and after["DocNumber"] == before["DocNumber"]
    assert int(after["SyncToken"]) == int(before["SyncToken"]) + 1
    assert money(after["TotalAmt"]) == subtotal          # tax stays in CareLedger
    ids = lambda doc: [l["Id"] for l in doc["Line"] if l["DetailType"] == "SalesItemLineDetail"]
    assert ids(after) == ids(before)
    first = next(l for l in after["Line"] if l["DetailType"] == "SalesItemLineDetail")
    assert Decimal(str(first["SalesItemLineDetail"]["Qty"])) == Decimal("2.75")
    kept = record_of(books, invoice_id)
    assert kept.sync_token == after["SyncToken"] and kept.qbo_total == subtotal

    again = update(books, invoice_id)  # a second press: the same action, nothing sent
    assert again.id == action.id
    assert qbo_invoice(books, record.qbo_id)["SyncToken"] == after["SyncToken"]


def test_update_after_someone_only_touched_it_uses_the_new_sync_token(exported_books):
    books = exported_books
    invoice_id = books.invoice_ids[1]
    record = record_of(books, invoice_id)
    touched = update_entity(books.sandbox, REALM, "Invoice", {"Id": record.qbo_id, "SyncToken": record.sync_token,
                                                                "CustomerMemo": {"value": "Thank you"}})
    assert int(touched["SyncToken"]) == int(record.sync_token) + 1
    _revision, (subtotal, _tax) = correct(books, invoice_id, {1: ("1", "31.00")})
    action = update(books, invoice_id)
    assert action.status == ActionStatus.DONE, action.message
    after = qbo_invoice(books, record.qbo_id)
    assert int(after["SyncToken"]) == int(touched["SyncToken"]) + 1
    assert money(after["TotalAmt"]) == subtotal


def test_stale_sync_token_between_read_and_write_is_read_again_and_retried_once(exported_books, monkeypatch):
    from services.export import client as export_client

    books = exported_books
    invoice_id = books.invoice_ids[2]
    record = record_of(books, invoice_id)
    original_batch = export_client.ExportClient.batch
    touches = []

    def touch_first(self, items, request_id):
        if not touches:  # someone saves the invoice in QuickBooks just before our write lands
            doc = qbo_invoice(books, record.qbo_id)
            touches.append(update_entity(books.sandbox, REALM, "Invoice", {
                "Id": doc["Id"], "SyncToken": doc["SyncToken"], "CustomerMemo": {"value": "Touched"}}))
        return original_batch(self, items, request_id)

    monkeypatch.setattr(export_client.ExportClient, "batch", touch_first)
    _revision, (subtotal, _tax) = correct(books, invoice_id, {0: ("3", "28.57")})
    action = update(books, invoice_id)
    assert action.status == ActionStatus.DONE, action.message
    assert action.stale_retries == 1
    after = qbo_invoice(books, record.qbo_id)
    assert int(after["SyncToken"]) == int(touches[0]["SyncToken"]) + 1
    assert money(after["TotalAmt"]) == subtotal


def test_refused_when_quickbooks_has_a_payment_larger_than_the_new_total(exported_books):
    books = exported_books
    invoice_id = books.invoice_ids[3]
    record = record_of(books, invoice_id)
    bookkeep(books.sandbox, REALM, "receive_payment", record.qbo_id, "150.00")
    before = qbo_invoice(books, record.qbo_id)
    correct(books, invoice_id, {0: ("1", "28.57")}, remove=(1,))
    action = update(books, invoice_id)
    assert action.status == ActionStatus.REFUSED
    assert "$150.00 received" in action.message and "Nothing was updated" in action.message
    assert qbo_invoice(books, record.qbo_id) == before


def test_refused_when_the_period_is_closed(exported_books):
    books = exported_books
    invoice_id = books.invoice_ids[4]
    record = record_of(books, invoice_id)
    before = qbo_invoice(books, record.qbo_id)
    close_books(books, before["TxnDate"])
    correct(books, invoice_id, {0: ("3", "28.57")})
    action = update(books, invoice_id)
    assert action.status == ActionStatus.REFUSED
    assert "books are closed" in action.message and "5010" in action.message
    assert qbo_invoice(books, record.qbo_id) == before


def test_refused_with_both_sides_when_changed_in_quickbooks(exported_books):
    import json

    books = exported_books
    invoice_id = books.invoice_ids[5]
    record = record_of(books, invoice_id)
    doc = qbo_invoice(books, record.qbo_id)
    lines = [l for l in doc["Line"] if l["DetailType"] == "SalesItemLineDetail"]
    lines[1] = dict(lines[1], Amount=40.0, SalesItemLineDetail=dict(lines[1]["SalesItemLineDetail"], Qty=1, UnitPrice=40))
    changed = update_entity(books.sandbox, REALM, "Invoice", {"Id": doc["Id"], "SyncToken": doc["SyncToken"],
                                                                "Line": lines})
    correct(books, invoice_id, {0: ("3", "28.57")})
    action = update(books, invoice_id)
    assert action.status == ActionStatus.REFUSED
    assert "changed in QuickBooks" in action.message
    sides = json.loads(action.conflict)
    assert money(sides["quickbooks"]["total"]) == money(changed["TotalAmt"])
    assert sides["careledger"]["total"] != sides["quickbooks"]["total"]
    assert qbo_invoice(books, record.qbo_id)["SyncToken"] == changed["SyncToken"]


def close_books(books, on_date: str) -> None:
    import httpx2

    answer = httpx2.post(f"{books.sandbox_url}/_sandbox/preferences?realmId={REALM}",
                         json={"AccountingInfoPrefs": {"BookCloseDate": on_date}})
    assert answer.status_code == 200, answer.text
