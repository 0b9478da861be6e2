"""A person signs in as each role and walks the nav in a real browser."""
import pytest

from demo_data.logins import DEMO_LOGINS
from tests.e2e.conftest import sign_in


def open_menu_item(page, menu: str, item: str) -> None:
    page.get_by_role("button", name=menu).click()
    page.get_by_role("menuitem", name=item).click()


@pytest.mark.parametrize("role", ["owner", "admin", "agency_user"])
def test_each_role_walks_the_nav(page, live_app, role):
    login = DEMO_LOGINS[role]
    sign_in(page, live_app, login["email"], login["password"])
    assert page.get_by_text(f"Welcome, {login['name']}").is_visible()

    open_menu_item(page, "Accounting", "QuickBooks Integration")
    page.wait_for_url("**/accounting/quickbooks**")
    assert page.get_by_role("heading", name="QuickBooks Integration").is_visible()

    open_menu_item(page, "Billing", "View Finalized Invoice Batches")
    page.wait_for_url("**/billing/batches**")
    rows = page.locator("table tbody tr")
    assert rows.count() > 0, "the demo agency has finalized batches"

    page.get_by_role("link", name="Clients", exact=True).click()
    page.wait_for_url("**/clients**")
    offices_shown = set(page.locator("#clients-table tbody tr td:nth-child(4)").all_inner_texts())
    if login["offices"]:
        assert offices_shown and offices_shown <= set(login["offices"])
    else:
        assert len(offices_shown) >= 2

    users_link = page.get_by_role("link", name="Users", exact=True)
    assert users_link.count() == (1 if role == "owner" else 0)


def test_agency_user_is_refused_owner_pages(page, live_app):
    login = DEMO_LOGINS["agency_user"]
    sign_in(page, live_app, login["email"], login["password"])
    response = page.goto(live_app.path("/users"))
    assert response.status == 403
    assert page.get_by_text("Not allowed").is_visible()
