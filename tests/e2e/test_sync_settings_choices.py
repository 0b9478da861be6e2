"""Browser tests of Sync Settings (issue 11): nothing but the person changes a mapped item (the
filter box only narrows the list), Save shows progress and its result near the button, the
Agency User sees a note and no controls, and the item column stays on screen at phone width."""
from __future__ import annotations

import re

import pytest

from demo_data.logins import DEMO_LOGINS
from tests.e2e.conftest import sign_in, start_live_app
from tests.e2e.test_sync_settings import URL, connect_via_ui


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server, live = start_live_app(tmp_path_factory.mktemp("sync_choices"),
                                  extra_config={"QBO_EXPORT_WORKER": "off"})
    yield live
    server.shutdown()


@pytest.fixture(scope="module")
def connected(live, browser):
    """Connect once through the UI as the Owner (the whole module then shares the company)."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    owner = DEMO_LOGINS["owner"]
    sign_in(page, live, owner["email"], owner["password"])
    connect_via_ui(page, live)
    context.close()
    return live


def homemaker_slot(page) -> str:
    return page.locator("#item-mapping-table tbody tr", has_text="Homemaker").first.get_attribute("data-slot")


def chosen(page, slot: str) -> str:
    return page.locator(f"select[name='item:{slot}']").input_value()


def test_typing_in_the_filter_never_changes_the_mapped_item(page, connected):
    owner = DEMO_LOGINS["owner"]
    sign_in(page, connected, owner["email"], owner["password"])
    page.goto(connected.path(URL))
    slot = homemaker_slot(page)
    before = chosen(page, slot)
    assert before, "the Homemaker row starts on its suggested item"
    box = page.locator(f"tr[data-slot='{slot}'] input.item-filter")
    box.fill("nu")                       # only "Skilled Nursing" contains "nu"
    assert chosen(page, slot) == before
    shown = page.locator(f"select[name='item:{slot}'] option:not([hidden])").all_inner_texts()
    assert any("Nursing" in text for text in shown)
    assert not any(text.startswith("Mileage") for text in shown)   # the list is narrowed...
    assert page.locator(f"tr[data-slot='{slot}'] .filter-count").inner_text().strip()  # ...and says so
    box.fill("")
    assert chosen(page, slot) == before
    box.fill("nu")
    box.press("Escape")                  # Escape clears the filter, the value stays
    assert box.input_value() == ""
    assert chosen(page, slot) == before
    box.fill("nu")
    box.press("Enter")                   # Enter in a filter never submits the form
    assert page.url.endswith(URL)
    assert chosen(page, slot) == before

    page.click("#save-sync-settings")
    page.wait_for_url(re.compile(r".*/accounting/quickbooks/client-matching.*"))
    page.goto(connected.path(URL))
    assert chosen(page, homemaker_slot(page)) == before


def test_save_shows_progress_and_its_refusal_next_to_the_button(page, connected):
    owner = DEMO_LOGINS["owner"]
    sign_in(page, connected, owner["email"], owner["password"])
    page.goto(connected.path(URL))
    page.select_option("select[name='item:holiday_premium']", "")
    button = page.locator("#save-sync-settings")
    assert button.get_attribute("data-busy-text")   # says what it does while the request runs
    button.click()
    result = page.locator("#save-result")
    result.wait_for()
    assert "Nothing was saved" in result.inner_text()
    assert "Holiday" in result.inner_text()        # names the row to fix, next to the button
    assert page.locator("#sync-settings-form #save-result").count() == 1
    # The refresh and create buttons disable themselves while their request runs.
    assert page.locator("#refresh-items").get_attribute("hx-disabled-elt") == "this"
    assert page.locator("#create-item-form").get_attribute("hx-disabled-elt")


def test_agency_user_sees_a_note_and_no_controls(page, connected):
    user = DEMO_LOGINS["agency_user"]
    sign_in(page, connected, user["email"], user["password"])
    page.goto(connected.path(URL))
    note = page.locator("#read-only-note")
    assert note.inner_text().strip() == "You can view these settings; an Owner or Admin can change them."
    assert page.locator("#item-mapping-table select").count() == 0     # the chosen items as text
    assert page.locator("#item-mapping-table input").count() == 0
    assert page.locator("#save-sync-settings").count() == 0
    assert page.locator("#item-mapping-table tbody tr td.item-chosen").count() > 0


def test_phone_width_keeps_the_chosen_item_on_screen(browser, connected):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    owner = DEMO_LOGINS["owner"]
    sign_in(page, connected, owner["email"], owner["password"])
    page.goto(connected.path(URL))
    row = page.locator("#item-mapping-table tbody tr").first
    for cell in (row.locator("td").nth(0), row.locator("select")):
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, cell
    context.close()
