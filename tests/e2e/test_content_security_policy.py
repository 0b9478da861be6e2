"""The Content-Security-Policy (scripts and styles from this site only) breaks no page: a real
Chromium visits the main pages of each role, uses the menus and an htmx filter, and records every
`securitypolicyviolation` event and CSP console message. There must be none."""
import pytest

from demo_data.logins import DEMO_LOGINS
from tests.e2e.conftest import sign_in

COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""
PAGES = ["/", "/clients", "/clients/new", "/billing/batches", "/billing/drafts", "/billing/exports",
         "/accounting/quickbooks", "/accounting/quickbooks/sync-settings",
         "/accounting/quickbooks/client-matching"]
OWNER_PAGES = ["/users", "/users/new", "/clients/import", "/billing/import"]


def _watch(page) -> list[str]:
    console = []
    page.add_init_script(COLLECT)
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    return console


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def _visit(page, live_app, path: str) -> list[str]:
    response = page.goto(live_app.path(path))
    assert response.status < 400, (path, response.status)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.evaluate("typeof window.htmx") == "object", f"htmx did not load on {path}"
    return [f"{path}: {v}" for v in _violations(page)]


@pytest.mark.parametrize("role", ["owner", "agency_user"])
def test_main_pages_run_under_the_policy_without_a_violation(page, live_app, role):
    console = _watch(page)
    page.goto(live_app.path("/login"))
    found = [f"/login: {v}" for v in _violations(page)]
    login = DEMO_LOGINS[role]
    sign_in(page, live_app, login["email"], login["password"])
    paths = PAGES + (OWNER_PAGES if role == "owner" else [])
    for path in paths:
        found += _visit(page, live_app, path)
    page.goto(live_app.path("/billing/batches"))
    page.locator("table tbody tr a").first.click()
    page.wait_for_url("**/billing/batches/*")
    found += [f"batch page: {v}" for v in _violations(page)]
    page.locator("table tbody tr td a").first.click()  # an invoice of the batch
    page.wait_for_url("**/billing/invoices/*")
    found += [f"invoice page: {v}" for v in _violations(page)]
    # app.js (menus) and htmx (a filter swap) at work
    page.goto(live_app.path("/clients"))
    page.get_by_role("button", name="Billing").click()
    assert page.get_by_role("menuitem", name="View Finalized Invoice Batches").is_visible()
    with page.expect_response(lambda r: "/clients" in r.url and r.request.headers.get("hx-request")):
        page.fill("input[name=q]", "a")
        page.keyboard.press("Enter")
    found += [f"clients (htmx): {v}" for v in _violations(page)]
    assert found == [] and console == [], found + console


def test_confirmations_still_ask_before_sending(page, live_app):
    console = _watch(page)
    owner = DEMO_LOGINS["owner"]
    sign_in(page, live_app, owner["email"], owner["password"])
    page.goto(live_app.path("/users"))
    deactivated = page.locator(".badge", has_text="Deactivated").count()
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("button", name="Deactivate").first.click()  # returns once the dialog is handled
    assert asked and asked[0].startswith("Deactivate ") and "no longer be able to sign in" in asked[0]
    assert _violations(page) == []
    page.goto(live_app.path("/users"))  # a dismissed confirm sent nothing
    assert page.locator(".badge", has_text="Deactivated").count() == deactivated
    assert _violations(page) == [] and console == []
