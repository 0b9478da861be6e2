"""Issue 11 point 6 in Chromium: the batch page's export status is true in every state — after a
partial export ("Select all eligible (N)" follows), in a second tab that was open meanwhile, after
a harmless re-export (nothing left to send), and while QuickBooks is disconnected (the invoices
that ARE in QuickBooks still count). Every QuickBooks icon and the progress bar have a name."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from demo_data.logins import DEMO_LOGINS
from tests.e2e.conftest import sign_in, start_live_app
from tests.e2e.test_export_walk import _connect_and_match


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """A live app of its own: this walk disconnects QuickBooks at the end."""
    server, live = start_live_app(tmp_path_factory.mktemp("truth"))
    yield live
    server.shutdown()


def _batch_url(live, batch_number: str) -> tuple[str, int]:
    from extensions import db
    from models import Invoice, InvoiceBatch

    with live.app.app_context():
        batch = db.session.scalar(db.select(InvoiceBatch).where(InvoiceBatch.number == batch_number))
        count = db.session.scalar(db.select(db.func.count(Invoice.id)).where(Invoice.batch_id == batch.id))
        return live.path(f"/billing/batches/{batch.id}"), count


def _wait_idle(page) -> None:
    page.wait_for_selector("#export-progress[data-running='false']", timeout=15_000)


def test_export_status_stays_true_across_exports_tabs_and_disconnect(page, live_app):
    batch_number, _office, _realm, numbers = _connect_and_match(live_app, "LAKE")
    url, invoice_count = _batch_url(live_app, batch_number)
    owner = DEMO_LOGINS["owner"]
    sign_in(page, live_app, owner["email"], owner["password"])
    page.goto(url)
    other = page.context.new_page()   # a second tab on the same batch, open all along
    other.goto(url)

    select_all = page.locator("label:has(#select-all-eligible)")
    expect(select_all).to_contain_text(f"Select all eligible ({len(numbers)})")

    # Export three of the eight by hand.
    boxes = page.locator("input.export-pick")
    for i in range(3):
        boxes.nth(i).check()
    page.click("#export-button")
    expect(page.locator("a.qb-link")).to_have_count(3, timeout=60_000)
    _wait_idle(page)
    expect(select_all).to_contain_text(f"Select all eligible ({len(numbers) - 3})")
    expect(page.locator("#export-count")).to_have_text(f"3 of {invoice_count} in QuickBooks")

    # Each icon is named after its invoice; the bar has a name.
    exported = [page.locator("a.qb-link").nth(i) for i in range(3)]
    for link in exported:
        name = link.locator("svg").get_attribute("aria-label")
        assert re.fullmatch(r"Invoice \S+ in QuickBooks", name or ""), name
        assert name.split()[1] in numbers
    assert page.locator("progress").get_attribute("aria-label")

    # The other tab, brought back to the front, agrees without a reload.
    other.bring_to_front()
    other.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(other.locator("a.qb-link")).to_have_count(3)
    expect(other.locator("#export-count")).to_have_text(f"3 of {invoice_count} in QuickBooks")
    other_select_all = other.locator("label:has(#select-all-eligible)")
    expect(other_select_all).to_contain_text(f"Select all eligible ({len(numbers) - 3})")
    expect(other.locator("input.export-pick")).to_have_count(len(numbers) - 3)

    # The first tab exports the rest; the other tab, not refreshed, then sends its (stale) ticks.
    page.bring_to_front()
    page.check("#select-all-eligible")
    page.click("#export-button")
    expect(page.locator("a.qb-link")).to_have_count(len(numbers), timeout=60_000)
    _wait_idle(page)
    expect(select_all).to_contain_text("Select all eligible (0)")

    other.check("#select-all-eligible")
    other.click("#export-button")
    expect(other.locator("#export-progress")).to_contain_text(
        f"Nothing to send — all {len(numbers) - 3} already in QuickBooks")
    _wait_idle(other)
    progress_text = other.locator("#export-progress").inner_text()
    assert "Exporting 0" not in progress_text and "Last export: 0" not in progress_text, progress_text
    assert other.locator("#export-progress .alert-danger, #export-progress .alert-warning").count() == 0
    expect(other.locator("a.qb-link")).to_have_count(len(numbers))
    expect(other.locator("#export-count")).to_have_text(f"{len(numbers)} of {invoice_count} in QuickBooks")

    # Disconnected: the invoices in QuickBooks still show and count; nothing can be ticked.
    with live_app.app.app_context():
        from services.qbo_connection.connect import disconnect

        disconnect()
    page.goto(url)
    expect(page.get_by_text("QuickBooks is not connected")).not_to_have_count(0)
    expect(page.locator("#export-count")).to_have_text(f"{len(numbers)} of {invoice_count} in QuickBooks")
    expect(page.locator("a.qb-link")).to_have_count(len(numbers))
    assert page.locator("input.export-pick").count() == 0
    bar = page.locator("progress")
    if bar.count():
        assert bar.get_attribute("value") == str(round(100 * len(numbers) / invoice_count)), \
            "the bar shows the share in QuickBooks, not a finished 100 %"
    other.close()
