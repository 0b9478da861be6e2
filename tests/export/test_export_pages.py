"""The billing pages' export UI: checkboxes only where the customer is matched, Export returns at
once with a self-polling progress partial, icons link into QuickBooks, Retry, the audit log."""
from __future__ import annotations

import re

import pytest

from extensions import db
from models import CustomerLink, Office, Role, User
from tests.export.conftest import run_jobs

HX = {"HX-Request": "true"}


@pytest.fixture
def browser(books):
    client = books.app.test_client()
    response = client.post("/login", data={"email": "owner@example.test", "password": "pw-owner"})
    assert response.status_code == 302
    return client


def _unlink(books, invoice_id):
    from models import Invoice

    with books.app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        link = db.session.scalar(db.select(CustomerLink).where(CustomerLink.client_id == invoice.client_id))
        db.session.delete(link)
        db.session.commit()


def test_batch_page_offers_checkboxes_only_for_matched_invoices(books, browser):
    _unlink(books, books.invoice_ids[0])
    page = browser.get(f"/billing/batches/{books.batch_id}").get_data(as_text=True)
    boxes = re.findall(r'name="invoice" value="(\d+)"', page)
    assert sorted(map(int, boxes)) == sorted(books.invoice_ids[1:])
    assert "Client not matched to a QuickBooks customer" in page
    assert "/accounting/quickbooks/client-matching" in page
    assert "Export to QuickBooks" in page and "Select all eligible (11)" in page
    assert "QB total $" in page  # the mapping's total, checked against the agency's before tax


def test_export_returns_at_once_then_progress_stops_polling_and_icons_link_to_quickbooks(books, browser):
    chosen = books.invoice_ids[:5]
    response = browser.post(f"/billing/batches/{books.batch_id}/export",
                            data={"invoice": [str(i) for i in chosen]}, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in body  # running: the partial polls itself
    assert 'id="qbo-status-%d"' % chosen[0] in body and 'hx-swap-oob="true"' in body
    assert "Exporting 5 invoice(s)" in body

    run_jobs(books)
    body = browser.get(f"/billing/batches/{books.batch_id}/export/progress", headers=HX).get_data(as_text=True)
    box = body.split("<template>")[0]
    assert "every 1s" not in box and 'data-running="false"' in box  # done: polling stops
    links = re.findall(r'href="([^"]+/invoice\?txnId=\d+)"', body)
    assert len(links) == 5 and all(l.startswith(books.sandbox_url + "/app/invoice?txnId=") for l in links)
    page = browser.get(f"/billing/batches/{books.batch_id}").get_data(as_text=True)
    boxes = set(map(int, re.findall(r'name="invoice" value="(\d+)"', page)))
    assert not boxes & set(chosen)  # exported invoices lose their checkbox
    assert "5 of 12 in QuickBooks" in page
    listing = browser.get("/billing/batches").get_data(as_text=True)
    assert "5/12" in listing
    books.assert_exactly_once(chosen)

    # The same invoices again (a stale page, a second browser): nothing new is sent.
    again = browser.post(f"/billing/batches/{books.batch_id}/export",
                         data={"invoice": [str(i) for i in chosen]}, headers=HX).get_data(as_text=True)
    assert "Nothing to send — all 5 already in QuickBooks." in again and "Exporting" not in again
    run_jobs(books)
    books.assert_exactly_once(chosen)


def test_failed_invoice_shows_plain_error_and_retry(books, browser):
    from models.sync_settings import ItemMapping
    from tests.export.conftest import REALM

    with books.app.app_context():
        mapping = db.session.scalar(db.select(ItemMapping))
        mapping.qbo_item_id = "999999"  # an item QuickBooks does not have
        db.session.commit()
    browser.post(f"/billing/batches/{books.batch_id}/export", data={"invoice": [str(books.invoice_ids[0])]})
    run_jobs(books)
    page = browser.get(f"/billing/batches/{books.batch_id}").get_data(as_text=True)
    assert 'data-status="failed"' in page and ">Retry</button>" in page
    assert "refers to something QuickBooks does not have" in page
    # The mapping is put right; Retry sends it (with a new request id: the old one would replay
    # the refusal).
    with books.sandbox.extensions["qbo_sandbox.store"].transaction() as tx:
        item_id = tx.name_owner(REALM, ["Item"], "Home care visit")[1]
    with books.app.app_context():
        db.session.scalar(db.select(ItemMapping)).qbo_item_id = str(item_id)
        db.session.commit()
    response = browser.post(f"/billing/invoices/{books.invoice_ids[0]}/export/retry", headers=HX)
    assert "queued again" in response.get_data(as_text=True)
    run_jobs(books)
    books.assert_exactly_once([books.invoice_ids[0]])


def test_export_log_lists_who_exported_what_with_ids_and_filters(books, browser):
    browser.post(f"/billing/batches/{books.batch_id}/export", data={"invoice": [str(books.invoice_ids[1])]})
    run_jobs(books)
    page = browser.get("/billing/exports").get_data(as_text=True)
    assert "Olive Owner" in page and "Created in QuickBooks" in page and "5002" in page
    rows = browser.get("/billing/exports?result=exported", headers=HX).get_data(as_text=True)
    assert rows.count('data-result="exported"') == 1 and "<tr" in rows and rows.count("<tr") == 2  # head + 1
    assert "worker" not in rows                            # who: the person, not the worker
    assert re.search(r'class="mono">[0-9a-f]{32}<', rows)  # the request id, in the details cell
    failed = browser.get("/billing/exports?result=failed", headers=HX).get_data(as_text=True)
    assert "data-result" not in failed and "Nothing in the export log matches" in failed
    history = browser.get(f"/billing/invoices/{books.invoice_ids[1]}").get_data(as_text=True)
    assert "QuickBooks export history" in history and "exported" in history and "Olive Owner" in history


def test_agency_user_of_another_office_cannot_export(books):
    with books.app.app_context():
        other = Office(agency_id=1, name="Elsewhere", code="ELS")
        user = User(email="au@example.test", name="Agnes", role=Role.AGENCY_USER)
        user.set_password("pw-agency_user")
        user.offices = [other]
        db.session.add_all([other, user])
        db.session.commit()
    client = books.app.test_client()
    client.post("/login", data={"email": "au@example.test", "password": "pw-agency_user"})
    response = client.post(f"/billing/batches/{books.batch_id}/export",
                           data={"invoice": [str(i) for i in books.invoice_ids]})
    assert response.status_code == 403  # exporting is a manager action, whatever the office
    assert books.qbo_invoices() == []
