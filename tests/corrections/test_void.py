"""Void one exported invoice in QuickBooks (TotalAmt 0), refused when a payment settles it, and
export it again afterwards on purpose with a DocNumber QuickBooks accepts."""
from __future__ import annotations

from models.corrections import ActionStatus
from tests.corrections.conftest import REALM, correct, money, qbo_invoice, record_of, void
from tests.export.conftest import run_jobs
from tests.fixtures.sandbox import bookkeep


def test_void_zeroes_the_invoice_once_and_it_can_be_exported_again_with_a_new_number(exported_books):
    from extensions import db
    from models import Invoice, User
    from services.payments.reexport import export_again

    books = exported_books
    invoice_id = books.invoice_ids[0]
    record = record_of(books, invoice_id)
    before = qbo_invoice(books, record.qbo_id)
    action = void(books, invoice_id)
    assert action.status == ActionStatus.DONE, action.message
    after = qbo_invoice(books, record.qbo_id)
    assert money(after["TotalAmt"]) == 0 and int(after["SyncToken"]) == int(before["SyncToken"]) + 1
    assert void(books, invoice_id).id == action.id  # a second press sends nothing
    assert qbo_invoice(books, record.qbo_id)["SyncToken"] == after["SyncToken"]

    # corrected afterwards? No: a voided invoice is exported again with its lines as they are.
    with books.app.test_request_context():
        outcome = export_again(db.session.get(User, books.user_id), db.session.get(Invoice, invoice_id), REALM)
        assert outcome.queued
    run_jobs(books)
    again = record_of(books, invoice_id)
    assert again.qbo_id != record.qbo_id and again.doc_number == f"{before['DocNumber']}-2"
    fresh = qbo_invoice(books, again.qbo_id)
    assert fresh["DocNumber"] == f"{before['DocNumber']}-2" and money(fresh["TotalAmt"]) == money(before["TotalAmt"])


def test_void_refused_when_a_payment_settles_it(exported_books):
    books = exported_books
    invoice_id = books.invoice_ids[1]
    record = record_of(books, invoice_id)
    bookkeep(books.sandbox, REALM, "receive_payment", record.qbo_id, "20.00")  # not yet polled
    before = qbo_invoice(books, record.qbo_id)
    action = void(books, invoice_id)
    assert action.status == ActionStatus.REFUSED
    assert "A payment of $20.00 settles this invoice" in action.message
    assert qbo_invoice(books, record.qbo_id) == before


def test_a_corrected_invoice_voided_and_exported_again_goes_with_its_correction(exported_books):
    from extensions import db
    from models import Invoice, User
    from services.payments.reexport import export_again

    books = exported_books
    invoice_id = books.invoice_ids[2]
    _revision, (subtotal, _tax) = correct(books, invoice_id, {0: ("1", "28.57")})
    assert void(books, invoice_id).status == ActionStatus.DONE
    with books.app.test_request_context():
        export_again(db.session.get(User, books.user_id), db.session.get(Invoice, invoice_id), REALM)
    run_jobs(books)
    fresh = qbo_invoice(books, record_of(books, invoice_id).qbo_id)
    assert money(fresh["TotalAmt"]) == subtotal
