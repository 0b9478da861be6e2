"""Time data to QuickBooks in Chromium: Caregiver Matching → Add to QuickBooks (the caregiver
becomes an Employee or Vendor) → the batch → Export time → the QuickBooks icons; QuickBooks then
holds each exported visit once."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from demo_data.logins import DEMO_LOGINS
from tests.e2e.conftest import sign_in
from tests.e2e.test_export_walk import _connect_and_match


def _caregiver_of_the_batch(live, batch_number: str, invoice_numbers: set[str]):
    """The caregiver with the most visits (service lines) on the matched invoices of the batch."""
    from collections import Counter

    from extensions import db
    from models import Caregiver, Invoice, InvoiceBatch, InvoiceLine, LineKind

    with live.app.app_context():
        lines = db.session.scalars(db.select(InvoiceLine).join(Invoice).join(InvoiceBatch).where(
            InvoiceBatch.number == batch_number, Invoice.number.in_(invoice_numbers),
            InvoiceLine.kind == LineKind.SERVICE, InvoiceLine.caregiver_id.is_not(None))).all()
        caregiver_id, visits = Counter(line.caregiver_id for line in lines).most_common(1)[0]
        caregiver = db.session.get(Caregiver, caregiver_id)
        return caregiver.id, caregiver.code, caregiver.name, visits


def _failures(live) -> list[str]:
    from extensions import db
    from models.time_export import TimeExport

    with live.app.app_context():
        return [f"{r.line_id}: {r.last_error}" for r in db.session.scalars(db.select(TimeExport))
                if r.status.value != "exported"]


def _time_activities(live, realm) -> list[dict]:
    with live.sandbox.extensions["qbo_sandbox.store"].transaction() as tx:
        return tx.all_docs(realm, "TimeActivity")


def test_caregiver_added_to_quickbooks_then_visits_exported_as_time_once(page, live_app):
    batch_number, _office, realm, numbers = _connect_and_match(live_app, "LAKE")
    caregiver_id, code, name, visits = _caregiver_of_the_batch(live_app, batch_number, numbers)
    owner = DEMO_LOGINS["owner"]
    sign_in(page, live_app, owner["email"], owner["password"])

    page.goto(live_app.url + "/accounting/quickbooks/caregiver-matching")
    page.get_by_role("link", name="Caregiver Matching").wait_for()
    page.fill("#cm-search", code)
    row = page.locator(f"tr[data-key='caregiver_{caregiver_id}']")
    expect(row).to_have_count(1)
    expect(page.locator("tr[data-key^='caregiver_']")).to_have_count(1)
    page.select_option(f"#sel-caregiver-{caregiver_id}", "")   # none of QuickBooks' people: add them
    page.check(f"#create-caregiver-{caregiver_id}")
    page.click("#save-matches")
    expect(page.locator("#save-result")).to_contain_text("Added to QuickBooks as", timeout=20_000)
    expect(row.locator(".badge-green")).to_contain_text("linked · created")

    page.goto(live_app.url + "/billing/batches")
    page.get_by_role("link", name=batch_number).first.wait_for()
    page.get_by_role("link", name=batch_number).first.click()
    panel = page.locator("#time-export")
    expect(panel.locator("#time-count")).to_be_visible(timeout=15_000)
    picks = panel.locator("input.time-pick")
    expect(picks.first).to_be_visible()
    ticked = picks.count()
    assert ticked >= visits   # this caregiver's visits, and any whose caregiver was already matched
    for n in range(ticked):
        picks.nth(n).check()
    panel.locator("#export-time-button").click()
    expect(panel.locator("#time-message")).to_contain_text(f"Exporting {ticked} visits")   # the answer is in
    expect(panel).to_have_attribute("data-running", "false", timeout=90_000)
    assert _failures(live_app) == []
    expect(panel.locator("a.qb-link")).to_have_count(ticked, timeout=15_000)
    assert panel.locator("input.time-pick").count() == 0
    href = panel.locator("a.qb-link").first.get_attribute("href")
    first_visit = panel.locator("tr:has(a.qb-link)").first.get_attribute("data-visit")
    assert re.search(r"/qbo-sandbox/app/timeactivity\?txnId=\d+$", href)
    found = _time_activities(live_app, realm)
    assert len(found) == ticked
    mine = [t for t in found if name in (t.get("Description") or "")]
    assert len(mine) == visits and len({t["Description"] for t in mine}) == visits   # one per visit

    page.goto(href)   # the icon opens that visit's time activity in (the local) QuickBooks
    assert f"[CareLedger visit {first_visit}]" in page.locator("body").inner_text()
