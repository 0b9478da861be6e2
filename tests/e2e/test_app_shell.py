"""The app-wide parts of the screens (issue 11, points 4, 5, 8, 9, 10): results in a toast region
that replaces rather than stacks, a loading state on every htmx request, the phone layout, the
Installation tab, the skip link and favicon, one date format, the dashboard."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (DESKTOP, PHONE, SANDBOX_COMPANY, ensure_connected,
                                ensure_disconnected_now, sign_in_as)

DATE = r"\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}"


def _in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] \
        and box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 1


# --- 4. results in view, replacing the previous ones --------------------------------------------

@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_check_connection_says_ok_in_one_toast_in_view(page, live_app, viewport):
    ensure_connected(live_app)
    page.set_viewport_size(viewport)
    sign_in_as(page, live_app, "owner")
    page.goto(live_app.path("/accounting/quickbooks"))
    page.mouse.wheel(0, 2000)                     # the person has scrolled down the page
    for _ in range(2):
        # Wait for each answer: the second one's toast replaces the first's.
        with page.expect_response(lambda r: r.url.endswith("/accounting/quickbooks/check")):
            page.get_by_role("button", name="Check connection").click()
        expect(page.locator("#toasts .toast")).to_have_count(1)
    toast = page.locator("#toasts .toast")
    expect(toast).to_contain_text(f"Connection OK: QuickBooks answered for {SANDBOX_COMPANY}")
    assert page.locator("#toasts").get_attribute("aria-live") == "polite"
    expect(toast).to_be_in_viewport(ratio=1)  # retried: the swap may still be settling


def test_a_page_flash_lands_in_the_toast_region_and_can_be_dismissed(page, live_app):
    ensure_connected(live_app)
    sign_in_as(page, live_app, "owner")
    page.goto(live_app.path("/accounting/quickbooks"))
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#qbo-disconnect")
    toast = page.locator("#toasts .toast")
    expect(toast).to_contain_text("Disconnected from")
    assert _in_viewport(page, toast)
    toast.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#toasts .toast")).to_have_count(0)


# --- 5. loading state on every htmx request -------------------------------------------------------

def test_an_htmx_button_is_disabled_and_shows_progress_until_its_answer(page, live_app):
    ensure_connected(live_app)
    sign_in_as(page, live_app, "owner")
    page.goto(live_app.path("/accounting/quickbooks"))
    held = []
    page.route("**/accounting/quickbooks/check", lambda route: held.append(route))
    button = page.get_by_role("button", name="Check connection")
    button.click()
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("aria-busy", "true")
    expect(page.locator("#busy")).to_be_visible()
    held[0].continue_()
    expect(page.locator("#toasts .toast")).to_contain_text("Connection OK")
    expect(page.get_by_role("button", name="Check connection")).to_be_enabled()
    expect(page.locator("#busy")).to_be_hidden()


def test_an_htmx_filter_form_disables_its_button_while_it_searches(page, live_app):
    sign_in_as(page, live_app, "owner")
    page.goto(live_app.path("/billing/exports"))
    held = []
    page.route(re.compile(r".*/billing/exports\?.*"), lambda route: held.append(route))
    search = page.get_by_role("button", name="Search")
    search.click()
    expect(search).to_be_disabled()
    held[0].continue_()
    expect(search).to_be_enabled()


# --- 8. phone -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/billing/batches", "/accounting/quickbooks"])
def test_phone_top_bar_collapses_into_a_keyboard_menu(page, live_app, path):
    page.set_viewport_size(PHONE)
    login = sign_in_as(page, live_app, "owner")
    page.goto(live_app.path(path))
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(page.get_by_role("link", name="Clients", exact=True)).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    for name in ("Clients", "Users"):
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
        assert _in_viewport(page, link)
    assert _in_viewport(page, page.get_by_text(login["name"], exact=True))
    assert _in_viewport(page, page.get_by_role("button", name="Sign out"))
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Clients", exact=True)).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Menu"


def test_escape_closes_a_menu_and_returns_focus(page, live_app):
    sign_in_as(page, live_app, "owner")
    billing = page.get_by_role("button", name="Billing")
    billing.click()
    expect(page.get_by_role("menuitem", name="Export Log")).to_be_visible()
    page.get_by_role("menuitem", name="Draft Batches").focus()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menuitem", name="Export Log")).to_be_hidden()
    expect(billing).to_be_focused()


@pytest.mark.parametrize("path,table,key_labels", [
    ("/clients", "#clients-table", ["Name", "Office", "Status"]),
    ("/users", "#users-table", ["Name", "Role", "Status"]),
    ("/billing/batches", "#batches-table", ["Batch", "Office", "Exported"]),
    ("/billing/drafts", "#batches-table", ["Batch", "Office"]),
])
def test_phone_tables_keep_their_key_columns_on_screen(page, live_app, path, table, key_labels):
    page.set_viewport_size(PHONE)
    sign_in_as(page, live_app, "owner")
    page.goto(live_app.path(path))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    first_row = page.locator(f"{table} tbody tr").first
    for label in key_labels:
        cell = first_row.locator(f'td[data-label="{label}"]')
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (label, box)


# --- 9. Installation tab ------------------------------------------------------------------------

def test_installation_tab_is_a_compact_walkthrough_with_the_quickbooks_button(page, live_app):
    ensure_disconnected_now(live_app)
    page.set_viewport_size(DESKTOP)
    sign_in_as(page, live_app, "owner")
    page.goto(live_app.path("/accounting/quickbooks"))
    assert page.evaluate("document.documentElement.scrollHeight") < 1800
    steps = page.locator("ol.walkthrough > li")
    assert steps.count() >= 4
    thumbs = page.locator("ol.walkthrough img")
    if thumbs.count():                         # pictures exist once `make screenshots` ran
        assert all(thumbs.nth(i).bounding_box()["width"] <= 240 for i in range(thumbs.count()))
        page.locator("ol.walkthrough button.shot").first.click()
        dialog = page.locator("dialog.shot-viewer")
        expect(dialog).to_be_visible()
        assert dialog.locator("img").bounding_box()["width"] > 500
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
    button = page.locator("#qbo-connect")
    # "Reconnect to QuickBooks" once a company was connected before (an earlier test may have)
    expect(button).to_have_text(re.compile(r"^(Connect|Reconnect) to QuickBooks$"))
    assert button.locator("svg.qb-mark").count() == 1
    colour = button.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour in ("rgb(44, 160, 28)", "rgb(16, 128, 0)", "rgb(34, 128, 22)"), colour


# --- 10. skip link, favicon, dates ----------------------------------------------------------------

def test_skip_link_is_the_first_stop_and_moves_to_the_content(page, live_app):
    sign_in_as(page, live_app, "owner")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


def test_every_page_has_an_svg_favicon(page, live_app):
    sign_in_as(page, live_app, "owner")
    href = page.locator('link[rel="icon"]').get_attribute("href")
    response = page.request.get(live_app.path(href))
    assert response.ok and response.headers["content-type"].startswith("image/svg+xml")


def test_dates_read_the_same_everywhere(page, live_app):
    sign_in_as(page, live_app, "owner")
    page.goto(live_app.path("/billing/batches"))
    text = page.locator("#batches-table").inner_text()
    assert re.search(DATE, text), text[:300]
    assert not re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2}, \d{4}", text)


# --- dashboard ----------------------------------------------------------------------------------

def test_dashboard_leads_with_quickbooks_and_the_next_step(page, live_app):
    ensure_disconnected_now(live_app)
    sign_in_as(page, live_app, "owner")
    status = page.locator("#dash-qbo")
    expect(status).to_contain_text("QuickBooks is not connected")
    status.get_by_role("link", name="Connect to QuickBooks").click()
    page.wait_for_url("**/accounting/quickbooks")

    ensure_connected(live_app)
    page.goto(live_app.path("/"))
    expect(page.locator("#dash-qbo")).to_contain_text(f"Connected to {SANDBOX_COMPANY}")
    attention = page.locator("#dash-attention")
    unmatched = attention.get_by_role("link", name=re.compile(r"\d+ active clients? not matched"))
    expect(unmatched).to_be_visible()
    expect(attention.get_by_role("link", name=re.compile(r"\d+ finalized batch(es)? not exported"))).to_be_visible()
    expect(page.locator("#dash-next")).to_contain_text("Next step")
    unmatched.click()
    page.wait_for_url("**/accounting/quickbooks/client-matching**")
