"""Browser test of the Sync Settings tab: connect to the local sandbox's demo company through the
Installation tab's pop-up, find the company's items suggested by name, see Save refused once a
billed kind's suggestion is cleared, choose items (one through the filter box), create an item in
QuickBooks from the tab, Save, land on Client Matching."""
from __future__ import annotations

import re

import pytest

from demo_data.logins import DEMO_LOGINS, LOCAL_QBO_LOGIN
from tests.e2e.conftest import sign_in, start_live_app

URL = "/accounting/quickbooks/sync-settings"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server, live = start_live_app(tmp_path_factory.mktemp("sync_settings"),
                                  extra_config={"QBO_EXPORT_WORKER": "off"})
    yield live
    server.shutdown()


def connect_via_ui(page, live) -> None:
    """The Installation tab's own flow: Connect → sign in to the sandbox → Authorize."""
    page.goto(live.path("/accounting/quickbooks"))
    with page.expect_popup() as popup_info:
        page.click("#qbo-connect")
    popup = popup_info.value
    popup.wait_for_selector("#authorize, #signin")
    if popup.locator("#signin").count():
        popup.fill("#email", LOCAL_QBO_LOGIN["email"])
        popup.fill("#password", LOCAL_QBO_LOGIN["password"])
        popup.click("#signin")
    popup.click("#authorize")
    page.wait_for_url(re.compile(r".*/accounting/quickbooks/sync-settings.*"), timeout=30_000)


def choose(page, slot: str, label_start: str) -> None:
    select = page.locator(f"select[name='item:{slot}']")
    value = select.locator("option").evaluate_all(
        "(os, start) => (os.find(o => o.text.startsWith(start)) || {}).value", label_start)
    assert value, f"no option starting with {label_start!r} for {slot}"
    select.select_option(value)


def selected_text(page, slot: str) -> str:
    return page.locator(f"select[name='item:{slot}']").evaluate("s => s.options[s.selectedIndex].text")


def test_choose_items_create_one_save_and_land_on_client_matching(page, live):
    owner = DEMO_LOGINS["owner"]
    sign_in(page, live, owner["email"], owner["password"])
    connect_via_ui(page, live)
    page.goto(live.path(URL))

    # The demo company's items, with their income accounts, are in every drop-down.
    mileage_options = page.locator("select[name='item:mileage'] option").all_inner_texts()
    assert "Mileage — Mileage Reimbursement Income" in mileage_options

    # Rows with no saved item open on the company item of the same name, badged "suggested".
    slots = page.locator("#item-mapping-table tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.slot, r.querySelector('strong').textContent.trim()])")
    for slot, label in slots:
        if slot == "service:default":
            assert selected_text(page, slot) == "— none —"   # no item is named like it
            continue
        expected = {"mileage": "Mileage", "expense": "Expense Reimbursement",
                    "holiday_premium": "Holiday Premium", "overtime_premium": "Overtime Premium",
                    "discount": "Discount"}.get(slot, label)   # service types: their own name
        assert selected_text(page, slot).startswith(expected + " — "), slot
        assert page.locator(f"tr[data-slot='{slot}'] .badge.suggested").is_visible()

    # Finalized demo invoices bill service, holiday and overtime lines: with the holiday
    # suggestion cleared, Save refuses and highlights that row.
    page.select_option("select[name='item:holiday_premium']", "")
    page.click("#save-sync-settings")
    page.wait_for_selector("#save-result")
    assert "Nothing was saved" in page.inner_text("#save-result")
    assert page.locator("#item-mapping-table tr.row-error").evaluate_all(
        "rows => rows.map(r => r.dataset.slot)") == ["holiday_premium"]
    assert page.url.endswith(URL)
    assert selected_text(page, "holiday_premium") == "— none —"   # the cleared row stays cleared

    choose(page, "service:default", "Personal Care")  # the same item twice is allowed
    # Mileage through the row's filter box (the demo's 12 items make the list "long"): typing
    # narrows the options and never changes the choice; the person then picks in the drop-down.
    page.select_option("select[name='item:mileage']", "")
    page.locator("tr[data-slot='mileage'] input.item-filter").fill("mileage")
    assert selected_text(page, "mileage") == "— none —"
    choose(page, "mileage", "Mileage")
    assert selected_text(page, "mileage").startswith("Mileage")

    # Holiday premium gets an item created in QuickBooks from this tab, without leaving the page.
    page.click("#create-item-details summary")
    page.fill("#new-item-name", "Holiday Hours Premium")
    page.select_option("#new-item-account", label="Home Care Services Income")
    page.select_option("#new-item-use-for", "holiday_premium")
    page.click("#create-item-button")
    page.wait_for_selector("#create-item-created")
    assert page.locator("select[name='item:holiday_premium']").evaluate(
        "s => s.options[s.selectedIndex].text") == "Holiday Hours Premium — Home Care Services Income"
    # The choices made before creating the item survived the table swap.
    assert page.locator("select[name='item:mileage']").evaluate(
        "s => s.options[s.selectedIndex].text").startswith("Mileage")

    # An option, then Save: on to Client Matching.
    page.fill("#doc_number_prefix", "SH-")
    page.check("input[name=line_grouping][value=per_service_type]")
    page.click("#save-sync-settings")
    page.wait_for_url(re.compile(r".*/accounting/quickbooks/client-matching.*"))
    assert "Sync settings saved" in page.inner_text("body")

    # Everything is still there when coming back.
    page.goto(live.path(URL))
    assert page.locator("select[name='item:holiday_premium']").evaluate(
        "s => s.options[s.selectedIndex].text") == "Holiday Hours Premium — Home Care Services Income"
    assert page.input_value("#doc_number_prefix") == "SH-"
    assert page.is_checked("input[name=line_grouping][value=per_service_type]")
    assert page.locator("#item-mapping-table tr.row-error").count() == 0
    assert page.locator("#item-mapping-table .badge.suggested").count() == 0   # all saved now
