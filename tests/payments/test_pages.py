"""The pages: "Check QuickBooks now" (every role, a background check, then a trigger that
reloads statuses in place), the invoice page's status and payments, the dashboard's receivables
(by office and payer, aged, only the viewer's offices), and Export again behind a confirmation."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from extensions import db
from models import Role
from services.payments import runner
from tests.payments.conftest import act, poll, qbo_id_of

HX = {"HX-Request": "true"}


def _signed_in(books, email="owner@example.test", password="pw-owner"):
    client = books.app.test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    return client


@pytest.fixture
def agency_user(exported):
    from models import Office
    from tests.fixtures.agency import OfficeFactory, UserFactory

    with exported.app.app_context():
        other = OfficeFactory(name="Elsewhere", code="ELS", agency=db.session.scalars(db.select(Office)).first().agency)
        UserFactory(email="staff@example.test", role=Role.AGENCY_USER, offices=[other])
        db.session.commit()
    return _signed_in(exported, "staff@example.test", "pw-agency_user")


def test_check_now_runs_in_the_background_then_tells_the_page(exported):
    browser = _signed_in(exported)
    act(exported, "receive_payment", qbo_id_of(exported, exported.invoice_ids[0]), "20.00")
    answer = browser.post("/billing/quickbooks/check", headers=HX)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="qbo-check"' in body
    assert "Checking QuickBooks" in body and 'hx-trigger="load delay:1s"' in body  # polls itself
    for thread in runner.background_checks(exported.app):
        thread.join(30)
    done = browser.get("/billing/quickbooks/check", headers=HX)
    assert done.headers["HX-Trigger"] == "qbo-checked"
    assert "Last checked" in done.get_data(as_text=True) and "hx-trigger" not in done.get_data(as_text=True)
    page = browser.get(f"/billing/invoices/{exported.invoice_ids[0]}").get_data(as_text=True)
    assert "Partially paid" in page and 'id="qbo-payments-table"' in page and "$20.00" in page


def test_check_now_without_htmx_goes_back_to_the_page_it_came_from(exported):
    browser = _signed_in(exported)
    answer = browser.post("/billing/quickbooks/check", data={"next": "/billing/batches"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/billing/batches")
    elsewhere = browser.post("/billing/quickbooks/check", data={"next": "https://evil.example/"})
    assert elsewhere.headers["Location"].endswith("/")
    for thread in runner.background_checks(exported.app):
        thread.join(30)


def test_an_agency_user_may_check_but_not_export_again(exported, agency_user):
    answer = agency_user.post("/billing/quickbooks/check", headers=HX)
    assert answer.status_code == 200
    for thread in runner.background_checks(exported.app):
        thread.join(30)
    assert agency_user.get(f"/billing/invoices/{exported.invoice_ids[0]}/export-again").status_code == 403
    assert agency_user.post(f"/billing/invoices/{exported.invoice_ids[0]}/export-again").status_code == 403


def test_export_again_asks_first_then_queues(exported):
    browser = _signed_in(exported)
    invoice_id = exported.invoice_ids[0]
    act(exported, "delete_invoice", qbo_id_of(exported, invoice_id))
    poll(exported)
    page = browser.get(f"/billing/invoices/{invoice_id}").get_data(as_text=True)
    assert "Deleted in QuickBooks" in page and f"/billing/invoices/{invoice_id}/export-again" in page
    confirm = browser.get(f"/billing/invoices/{invoice_id}/export-again").get_data(as_text=True)
    assert "deleted in QuickBooks" in confirm and 'id="export-again-confirm"' in confirm
    done = browser.post(f"/billing/invoices/{invoice_id}/export-again")
    assert done.status_code == 303
    twice = browser.post(f"/billing/invoices/{invoice_id}/export-again", follow_redirects=True)
    assert "already being exported again" in twice.get_data(as_text=True)


def test_the_dashboard_shows_receivables_by_office_and_payer_aged(exported, agency_user):
    from models import Invoice

    with exported.app.app_context():  # spread the invoice dates over the buckets (test data: past the lock)
        table = Invoice.__table__
        for n, invoice_id in enumerate(exported.invoice_ids):
            db.session.execute(table.update().where(table.c.id == invoice_id).values(
                invoice_date=date.today() - timedelta(days=[5, 45, 75, 120][n % 4])))
        db.session.commit()
    act(exported, "receive_payment", qbo_id_of(exported, exported.invoice_ids[0]), "10.00")
    act(exported, "void_invoice", qbo_id_of(exported, exported.invoice_ids[1]))
    poll(exported)
    from services.payments.receivables import receivables_for
    from models import User

    with exported.app.app_context():
        owner = db.session.scalar(db.select(User).where(User.email == "owner@example.test"))
        summary = receivables_for(owner, "9341453050290001")
        assert [(r.office, r.payer) for r in summary.rows] == [("Springfield", "Private pay")]
        row = summary.rows[0]
        assert row.invoices == 11                     # the voided one owes nothing
        assert all(amount > 0 for amount in row.amounts)
    page = _signed_in(exported).get("/").get_data(as_text=True)
    assert 'id="receivables-table"' in page and "Over 90 days" in page and "Springfield" in page
    assert 'hx-trigger="qbo-checked from:body"' in page
    theirs = agency_user.get("/").get_data(as_text=True)  # another office: nothing of Springfield
    assert "Springfield" not in theirs and "Nothing is owed" in theirs
    assert re.search(r"Check QuickBooks now", theirs)


def test_the_batch_page_shows_each_status_with_words_and_updates_in_place(exported):
    browser = _signed_in(exported)
    ids = exported.invoice_ids
    act(exported, "receive_payment", qbo_id_of(exported, ids[0]), "10.00")
    act(exported, "delete_invoice", qbo_id_of(exported, ids[1]))
    poll(exported)
    page = browser.get(f"/billing/batches/{exported.batch_id}").get_data(as_text=True)
    assert re.search(rf'id="qbo-state-{ids[0]}"[^>]*data-state="partial"', page)
    assert re.search(r'role="img" aria-label="Partially paid in QuickBooks: \$[\d.,]+ still due"', page)
    assert re.search(rf'id="qbo-state-{ids[1]}"[^>]*data-state="deleted"', page)
    assert f"/billing/invoices/{ids[1]}/export-again" in page and "Check QuickBooks now" in page
    reload = re.search(r'hx-get="(/billing/batches/\d+/qbo-states\?shown=[\d%C,]+)" hx-trigger="qbo-checked from:body"', page)
    assert reload, "no in-place reload of the statuses after a check"
    act(exported, "void_invoice", qbo_id_of(exported, ids[2]))
    poll(exported)
    cells = browser.get(reload.group(1).replace("%2C", ","), headers=HX).get_data(as_text=True)
    assert re.search(rf'id="qbo-state-{ids[2]}" class="qbo-state" data-state="voided" hx-swap-oob="true"', cells)
    assert cells.count('hx-swap-oob="true"') == len(ids)  # the rows on the page, one statement's worth
    one = browser.get(f"/billing/batches/{exported.batch_id}/qbo-states?shown={ids[0]}", headers=HX).get_data(as_text=True)
    assert one.count('hx-swap-oob="true"') == 1


def test_a_deleted_invoice_no_longer_links_into_quickbooks(exported):
    browser = _signed_in(exported)
    invoice_id = exported.invoice_ids[0]
    act(exported, "delete_invoice", qbo_id_of(exported, invoice_id))
    poll(exported)
    page = browser.get(f"/billing/batches/{exported.batch_id}").get_data(as_text=True)
    cell = re.search(rf'<td id="qbo-status-{invoice_id}".*?</td>', page, re.S).group(0)
    assert "qb-link" not in cell and "Deleted in QuickBooks" in cell and "Export again…" in cell


def test_a_second_press_soon_after_a_good_check_reads_nothing(exported):
    """Each check is metered reads; pressing again within QBO_CHECK_MIN_GAP_SECONDS reuses it."""
    browser = _signed_in(exported)
    browser.post("/billing/quickbooks/check", headers=HX)
    for thread in runner.background_checks(exported.app):
        thread.join(30)
    first = runner.background_checks(exported.app)
    again = browser.post("/billing/quickbooks/check", headers=HX).get_data(as_text=True)
    assert "checked less than a minute ago" in again and "You can check again in" in again
    assert runner.background_checks(exported.app) == first   # no second read started
    exported.app.config["QBO_CHECK_MIN_GAP_SECONDS"] = 0
    browser.post("/billing/quickbooks/check", headers=HX)
    assert len(set(runner.background_checks(exported.app)) - set(first)) == 1
    for thread in runner.background_checks(exported.app):
        thread.join(30)


def test_receivables_sum_what_each_status_says_is_owed(exported):
    """The dashboard sums in the database; its figures equal the invoice statuses' own balances
    (open, partly paid, paid, voided, deleted, never mentioned by the change feed)."""
    from decimal import Decimal

    from models import User
    from services.payments.receivables import receivables_for
    from tests.payments.conftest import statuses

    ids = exported.invoice_ids
    act(exported, "receive_payment", qbo_id_of(exported, ids[0]), "10.00")
    whole = statuses(exported)[ids[1]].balance
    act(exported, "receive_payment", qbo_id_of(exported, ids[1]), str(whole))   # paid in full
    act(exported, "void_invoice", qbo_id_of(exported, ids[2]))
    act(exported, "delete_invoice", qbo_id_of(exported, ids[3]))
    poll(exported)
    owed = [s.balance for s in statuses(exported).values() if s.counts_as_open]
    with exported.app.app_context():
        owner = db.session.scalar(db.select(User).where(User.email == "owner@example.test"))
        summary = receivables_for(owner, "9341453050290001")
    assert summary.rows[0].invoices == len(owed) == len(ids) - 3
    assert summary.total == sum(owed, Decimal("0")) > 0
