"""The export log a person reads: one row per invoice action, who started it (not "worker"),
the result in plain words, request ids tucked away; reached from the Billing menu; QuickBooks
icons named per invoice."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in_as
from tests.e2e.test_export_walk import _connect_and_match


def test_export_log_has_one_readable_row_per_exported_invoice(page, live_app):
    batch_number, office_name, realm, numbers = _connect_and_match(live_app, "LAKE")
    owner = sign_in_as(page, live_app, "owner")
    page.goto(live_app.path("/billing/batches"))
    page.get_by_role("link", name=batch_number).click()
    page.check("#select-all-eligible")
    page.click("#export-button")
    expect(page.locator("a.qb-link")).to_have_count(len(numbers), timeout=60_000)
    some = sorted(numbers)[0]
    expect(page.get_by_role("link", name=f"Invoice {some} in QuickBooks")).to_have_count(1)

    page.get_by_role("button", name="Billing").click()
    page.get_by_role("menuitem", name="Export Log").click()
    page.wait_for_url("**/billing/exports**")
    rows = page.locator("#export-log tbody tr")
    expect(rows).to_have_count(len(numbers))
    text = page.locator("#export-log").inner_text()
    assert "worker" not in text.lower()
    for number in numbers:
        row = page.locator("#export-log tbody tr", has_text=number)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(owner["name"])
        expect(row).to_contain_text("Created in QuickBooks")
        expect(row).to_contain_text(batch_number)
        details = row.locator("details")
        expect(details.locator("summary")).to_be_visible()
        assert not re.search(r"\b[0-9a-f]{32}\b", row.inner_text()), "request ids stay folded away"
        details.locator("summary").click()
        assert re.search(r"\b[0-9a-f]{32}\b", details.inner_text())
        break

    page.select_option("#log-result", "failed")
    expect(page.locator("#export-log tbody tr")).to_have_count(0)
    expect(page.get_by_text("Nothing in the export log matches")).to_be_visible()
