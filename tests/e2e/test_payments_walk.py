"""Two-way sync in Chromium: export, receive a payment in the sandbox's QuickBooks view, press
"Check QuickBooks now": the row shows Paid; delete another invoice in the sandbox: it shows
Deleted in QuickBooks and can be exported again, once (after a confirmation)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from demo_data.logins import DEMO_LOGINS
from tests.e2e.conftest import sign_in
from tests.e2e.test_export_walk import _connect_and_match
from tests.fixtures.sandbox import doc_numbers


def _row(page, number):
    return page.locator("#invoices-table tbody tr").filter(has=page.get_by_role("link", name=number, exact=True))


def _check_now(page):
    """Press the button and wait for the answer that says the check is over (HX-Trigger)."""
    def finished(response):
        return response.url.endswith("/billing/quickbooks/check") and response.request.method == "GET" \
            and "hx-trigger" in response.headers
    with page.expect_response(finished, timeout=30_000):
        page.click("#qbo-check-button")
    expect(page.locator("#qbo-check-state")).to_contain_text("Last checked")


def test_payment_and_delete_in_quickbooks_come_back(page, live_app):
    # The walk checks twice within seconds (after each change in QuickBooks); the minimum gap
    # between good checks has its own test (tests/payments/test_pages.py).
    live_app.app.config["QBO_CHECK_MIN_GAP_SECONDS"] = 0
    batch_number, office_name, realm, numbers = _connect_and_match(live_app, "NORTH")
    owner = DEMO_LOGINS["owner"]
    sign_in(page, live_app, owner["email"], owner["password"])
    from extensions import db
    from models import InvoiceBatch

    with live_app.app.app_context():
        batch_id = db.session.scalar(db.select(InvoiceBatch.id).where(InvoiceBatch.number == batch_number))
    page.goto(live_app.path(f"/billing/batches/{batch_id}"))
    page.check("#select-all-eligible")
    page.click("#export-button")
    expect(page.locator("a.qb-link")).to_have_count(len(numbers), timeout=60_000)
    paid, deleted = sorted(numbers)[:2]
    batch_url = page.url

    # The bookkeeper receives the whole balance of one invoice in QuickBooks …
    page.goto(_row(page, paid).locator("a.qb-link").get_attribute("href"))
    page.get_by_role("button", name="Receive payment").click()
    page.wait_for_selector("text=received")
    page.goto(batch_url)
    _check_now(page)
    expect(_row(page, paid).locator(".qbo-state")).to_have_attribute("data-state", "paid")
    expect(_row(page, paid).get_by_role("img", name=re.compile(r"^Paid in QuickBooks on \d{4}-\d\d-\d\d$"))).to_be_visible()

    # … and deletes another.
    page.goto(_row(page, deleted).locator("a.qb-link").get_attribute("href"))
    page.get_by_role("button", name="Delete").click()
    page.goto(batch_url)
    _check_now(page)
    row = _row(page, deleted)
    expect(row.locator(".qbo-state")).to_have_attribute("data-state", "deleted")
    expect(row.get_by_role("img", name=re.compile("Deleted in QuickBooks"))).to_be_visible()
    assert doc_numbers(live_app.sandbox, realm).count(deleted) == 0

    # Export again: a confirmation first, then once.
    row.get_by_role("link", name="Export again…").click()
    page.wait_for_url(re.compile(r".*/export-again$"))
    confirm_url = page.url
    page.click("#export-again-confirm")
    page.wait_for_url(batch_url)
    expect(page.locator("#toasts .toast").filter(has_text="queued to be exported again")).to_have_count(1)
    expect(_row(page, deleted).locator("a.qb-link")).to_have_count(1, timeout=60_000)
    page.goto(confirm_url)  # a second try (a stale tab, a double click) does nothing
    assert page.locator("#export-again-confirm").count() == 0
    assert doc_numbers(live_app.sandbox, realm).count(deleted) == 1
