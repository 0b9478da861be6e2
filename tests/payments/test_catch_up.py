"""A gap longer than the change feed remembers (CDC: 30 days): invoices exported before the
feed's window are read again directly, so a payment or a delete made during the gap is not lost."""
from __future__ import annotations

from datetime import timedelta

import pytest

from extensions import db
from models._types import utcnow
from models.export import InvoiceExport
from qbo_sandbox import clock
from tests.payments.conftest import act, poll, qbo_id_of, statuses


@pytest.fixture
def changed_40_days_ago(exported):
    """The batch went to QuickBooks 45 days ago; 40 days ago the bookkeeper took a partial
    payment on one invoice and deleted another; nobody has checked since."""
    with exported.app.app_context():
        db.session.execute(db.update(InvoiceExport).values(exported_at=utcnow() - timedelta(days=45)))
        db.session.commit()
    ids = exported.invoice_ids
    clock.set_shift(-timedelta(days=40))
    try:
        act(exported, "receive_payment", qbo_id_of(exported, ids[0]), "10.00")
        act(exported, "delete_invoice", qbo_id_of(exported, ids[1]))
    finally:
        clock.set_shift(timedelta(0))
    return exported


def test_a_gap_past_the_feeds_memory_rereads_the_older_invoices(changed_40_days_ago):
    books = changed_40_days_ago
    result = poll(books)
    assert result.ok and result.reads == 2          # the feed, then one read of the 12 invoices
    found = statuses(books)
    assert found[books.invoice_ids[0]].state.value == "partial"
    assert found[books.invoice_ids[1]].state.value == "deleted"
    assert {s.state.value for i, s in found.items() if i not in books.invoice_ids[:2]} == {"open"}


def test_no_reread_when_the_last_check_covers_the_window(exported):
    first = poll(exported)
    assert first.ok and first.reads == 1              # exported just now: inside the feed's window
    with exported.app.app_context():
        db.session.execute(db.update(InvoiceExport).values(exported_at=utcnow() - timedelta(days=45)))
        db.session.commit()
    again = poll(exported)
    assert again.ok and again.reads == 1              # the last check ended moments ago: no gap
