"""Browser test of the Client Matching tab: connect to the local sandbox's demo company through
the UI, refresh the customer list, change a drop-down, tick Add to QuickBooks, Save, see it."""
from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import sign_in, start_live_app

QBO_USER = ("bookkeeper@sunrise.example", "qbo-e2e-pass")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server, live = start_live_app(tmp_path_factory.mktemp("matching"),
                                  extra_config={"QBO_EXPORT_WORKER": "off"})
    from tests.fixtures.sandbox import create_entity, ensure_demo_company, register_user

    realm = ensure_demo_company(live.sandbox)
    register_user(live.sandbox, *QBO_USER, realm)   # the QuickBooks user who authorizes
    # Two customers typed with only an initial: the clients below get `review` proposals.
    for name in ("Finchley, H.", "Quartermaine, G."):
        create_entity(live.sandbox, realm, "Customer", {"DisplayName": name})
    with live.app.app_context():   # a new client the books do not have yet
        from extensions import db
        from models import Client, Office

        office = db.session.query(Office).order_by(Office.id).first()
        db.session.add(Client(code="NEW-001", office=office, first_name="Zeb", last_name="Newcombe",
                              email="zeb@example.com", phone="555-010-0199"))
        db.session.add(Client(code="REV-001", office=office, first_name="Harold", last_name="Finchley"))
        db.session.add(Client(code="REV-002", office=office, first_name="Gregory", last_name="Quartermaine"))
        db.session.commit()
    yield live
    server.shutdown()


def choose_filter(page, state: str) -> None:
    """Pick a Show filter and wait until htmx has swapped in the filtered table (the old table's
    rows would otherwise still answer locators for a moment)."""
    page.select_option("#cm-state", state)
    page.wait_for_url(re.compile(rf"[?&]state={state}\b"))
    page.wait_for_load_state("networkidle")


def connect_via_ui(page, live):
    page.goto(live.path("/accounting/quickbooks"))
    with page.expect_popup() as popup_info:
        page.click("#qbo-connect")
    popup = popup_info.value
    popup.fill("#email", QBO_USER[0])
    popup.fill("#password", QBO_USER[1])
    popup.click("#signin")
    popup.click("#authorize")
    page.wait_for_url(re.compile(r".*/accounting/quickbooks/sync-settings.*"), timeout=30_000)


def test_change_drop_down_add_to_quickbooks_and_save(page, live):
    from demo_data.logins import DEMO_LOGINS

    owner = DEMO_LOGINS["owner"]
    sign_in(page, live, owner["email"], owner["password"])
    connect_via_ui(page, live)

    page.goto(live.path("/accounting/quickbooks/client-matching"))
    page.click("#refresh-customers")
    page.wait_for_selector("text=customers from QuickBooks and updated the proposed matches")

    # An auto row offers no "Add to QuickBooks" while its customer is chosen; clearing it does.
    choose_filter(page, "auto")
    page.wait_for_selector("#client-matches tbody tr[data-state='auto']")
    auto_row = page.locator("#client-matches tbody tr[data-state='auto']").first
    add_box = auto_row.locator(".add-to-qbo")
    assert not add_box.is_visible()
    auto_row.locator("select").select_option("")
    assert add_box.is_visible()
    auto_row.locator("select").select_option(index=1)
    assert not add_box.is_visible()
    # Back to its proposal: the row is no longer a change of its own.
    auto_row.locator("select").select_option(auto_row.locator("select").get_attribute("data-initial"))
    assert auto_row.get_attribute("data-changed") == "false"

    # A `review` proposal is suggested, not selected: the row says "To review" and its drop-down
    # holds "— choose —" until the person confirms with "Use suggestion".
    choose_filter(page, "review")
    page.wait_for_selector("#client-matches tbody tr[data-state='review']")
    rows = page.locator("#client-matches tbody tr[data-state='review']")
    assert rows.count() >= 2, "the demo company should give at least two `review` proposals"
    row, untouched = rows.nth(0), rows.nth(1)
    row_id, untouched_id = row.get_attribute("id"), untouched.get_attribute("id")
    row_code = row.locator("td .muted.small").first.inner_text().strip()
    assert "To review" in row.inner_text()
    select = row.locator("select")
    assert select.input_value() == ""
    assert untouched.locator("select").input_value() == ""
    first_offer = select.locator("option").nth(1)
    assert first_offer.inner_text().startswith("Suggested: ")
    chosen = first_offer.get_attribute("value")
    row.locator(".use-suggestion").click()
    assert select.input_value() == chosen
    page.click("#save-matches")   # saves the confirmed suggestion and every automatic match
    page.wait_for_selector(".alert-success:has-text('Saved 1 client match')")
    assert "automatic match" in page.inner_text("#save-result")
    page.wait_for_selector(f"#{untouched_id}[data-state='review']")   # still unlinked, still to review

    # A client with nothing proposed: Add to QuickBooks.
    choose_filter(page, "unmatched")
    page.wait_for_selector("#client-matches tbody tr[data-state='unmatched']")
    target = page.locator("#client-matches tbody tr[data-state='unmatched']").first
    target_id = target.get_attribute("id")
    target.locator("input[type=checkbox]").check()
    page.click("#save-matches")
    page.wait_for_selector("text=Created in QuickBooks:")
    message = page.locator(".alert-success", has_text="Created in QuickBooks").inner_text()

    # Both are now saved links, found with the search box under the Matched filter.
    choose_filter(page, "matched")
    page.fill("#cm-search", row_code)
    page.wait_for_selector(f"#{row_id}")
    assert page.locator(f"#{row_id} select").input_value() == chosen
    page.fill("#cm-search", "Newcombe")
    page.wait_for_selector(f"#{target_id} .badge-green")
    assert page.locator(f"#{target_id} .badge-green").inner_text().strip() == "linked · created"
    created_name = message.removeprefix("Created in QuickBooks: ").rstrip(".")
    assert created_name == "Newcombe, Zeb"
    assert created_name in page.locator(f"#{target_id} select option:checked").inner_text()

    # And QuickBooks has exactly one such customer.
    from qbo.client import quote
    from services.qbo_connection import connected_client

    with live.app.app_context():
        found = connected_client().query_all("Customer", f"DisplayName = {quote(created_name)}")
    assert len(found) == 1
