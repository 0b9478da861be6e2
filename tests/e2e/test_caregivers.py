"""Caregivers page in a real browser at desktop and phone width: an Owner finds, adds and edits a
caregiver; an Agency User reads the caregivers of their offices only."""
import pytest

from demo_data.logins import DEMO_LOGINS
from tests.e2e.conftest import BROWSER_TIMEOUT_MS, sign_in

WIDTHS = {"desktop": (1280, 860), "phone": (390, 844)}


@pytest.fixture(params=sorted(WIDTHS))
def sized_page(request, browser):
    width, height = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    yield context.new_page(), request.param
    context.close()


def _open_caregivers(page):
    """Through the top bar as a person would; at phone width it is folded into the Menu button."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    page.get_by_role("link", name="Caregivers", exact=True).click()
    page.wait_for_url("**/caregivers**")


def _fits_the_screen(page) -> bool:
    """The page content never needs sideways scrolling (wide tables scroll inside their box)."""
    return page.evaluate("() => document.querySelector('main').scrollWidth <= window.innerWidth")


def test_owner_finds_adds_and_edits_a_caregiver(sized_page, live_app):
    from playwright.sync_api import expect

    page, width = sized_page
    owner = DEMO_LOGINS["owner"]
    sign_in(page, live_app, owner["email"], owner["password"])
    _open_caregivers(page)
    table = page.locator("#caregivers-table")
    assert table.get_by_role("link", name="Moreno, Alicia").is_visible()
    assert "Pierce, Yolanda" not in table.inner_text()  # left the agency: inactive
    assert _fits_the_screen(page)

    page.fill("#caregiver-search", "nowak")
    expect(page.locator("#caregivers-table tbody tr")).to_have_count(1)  # htmx swaps the results in
    page.wait_for_url("**q=nowak**")
    assert "1099 contractor" in page.locator("#caregivers-table tbody tr").inner_text()

    code = f"CG-E2E-{width}"
    page.get_by_role("link", name="Add caregiver").click()
    page.fill("#code", code)
    page.fill("#first_name", "Priya")
    page.fill("#last_name", "Raman")
    page.select_option("#kind", "contractor")
    page.fill("#email", "not-an-email")
    page.get_by_role("button", name="Add caregiver").click()
    assert page.get_by_text("Nothing was saved").is_visible()  # bad input: the form comes back
    page.fill("#email", "priya@example.com")
    page.get_by_role("button", name="Add caregiver").click()
    page.get_by_text("Caregiver Raman, Priya added.").wait_for()
    assert _fits_the_screen(page)

    page.get_by_role("link", name="Raman, Priya").click()
    page.fill("#last_name", "Raman-Iyer")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Caregiver Raman-Iyer, Priya saved.").wait_for()
    assert "1099 contractor" in page.locator("#caregivers-table tbody tr", has_text="Raman-Iyer").inner_text()


def test_agency_user_reads_only(sized_page, live_app):
    page, _width = sized_page
    login = DEMO_LOGINS["agency_user"]
    sign_in(page, live_app, login["email"], login["password"])
    _open_caregivers(page)
    offices = set(page.locator("#caregivers-table tbody tr td:nth-child(4)").all_inner_texts())
    assert offices and offices <= set(login["offices"])
    assert page.get_by_role("link", name="Add caregiver").count() == 0
    assert _fits_the_screen(page)
    page.locator("#caregivers-table tbody tr a").first.click()
    assert page.get_by_text("Only an Owner or Admin can change caregivers.").is_visible()
    assert page.get_by_role("link", name="Edit").count() == 0
    assert page.goto(live_app.path("/caregivers/new")).status == 403
