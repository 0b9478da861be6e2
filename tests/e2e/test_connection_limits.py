"""Issue 13 in Chromium: the hard-expiry reconnect banner leads to the Reconnect page, and the
Installation tab's read-budget panel shows the month's reads, the 80 % warning and, once
QuickBooks refuses reads for the month, the plain-words message."""
from __future__ import annotations

import pytest

from demo_data.logins import DEMO_LOGINS
from tests.e2e.conftest import sign_in, start_live_app
from tests.fixtures.sandbox import issue_tokens, set_coreplus_cap, usage_of

DAY = 86400


@pytest.fixture(scope="module")
def limited_app(tmp_path_factory):
    """The demo app, connected with a grant that ends in 10 days, and a read allowance of 10."""
    from extensions import db
    from models.qbo import CONNECTION_ID, ConnectionStatus, QboConnection
    from qbo.oauth import TokenSet
    from services.qbo_connection.tokens import store_token_set

    # No scheduled change check here: its one read at start-up would shift the counts.
    config = {"QBO_READ_ALLOWANCE": 10, "QBO_POLL_WORKER": "off"}
    server, live = start_live_app(tmp_path_factory.mktemp("limits"), extra_config=config)
    realm = live.sandbox.config["DEMO_REALM_ID"]
    live.sandbox.config["REFRESH_TOKEN_HARD_LIFETIME"] = 10 * DAY
    with live.app.app_context():
        db.session.add(QboConnection(id=CONNECTION_ID, status=ConnectionStatus.CONNECTED,
                                     environment="local", realm_id=realm, company_name="Sunrise Home Care LLC"))
        db.session.commit()
        store_token_set(TokenSet.from_response(issue_tokens(
            live.sandbox, live.app.config["QBO_CLIENT_ID"], realm,
            scope="com.intuit.quickbooks.accounting openid", include_hard_expiry=True)))
    yield live, realm
    server.shutdown()


def _reads(live, count: int) -> None:
    from qbo.errors import ReadAllowanceExhausted
    from services.qbo_connection import connected_client

    with live.app.app_context():
        client = connected_client()
        for _ in range(count):
            try:
                client.company_info()
            except ReadAllowanceExhausted:
                return


def test_banner_leads_to_reconnect_and_the_read_budget_panel_warns(page, limited_app):
    live, realm = limited_app
    owner = DEMO_LOGINS["owner"]
    sign_in(page, live, owner["email"], owner["password"])
    banner = page.locator("#qbo-hard-expiry-banner")
    assert banner.is_visible()
    assert "Reconnect to QuickBooks within" in banner.inner_text()
    banner.get_by_role("link", name="Reconnect now").click()
    page.wait_for_url("**/accounting/quickbooks/reconnect")
    assert page.get_by_role("button", name="Reconnect to QuickBooks").is_visible()

    _reads(live, 9)
    page.goto(live.path("/accounting/quickbooks"))
    panel = page.locator("#qbo-read-budget")
    assert "9 of 10" in panel.inner_text()
    assert page.locator("#qbo-read-budget-warning").is_visible()
    assert page.locator("#qbo-read-budget meter").get_attribute("value") == "9"

    set_coreplus_cap(live.sandbox, usage_of(live.sandbox, realm)["reads"])
    try:
        _reads(live, 1)
    finally:
        set_coreplus_cap(live.sandbox, None)
    page.reload()
    refused = page.locator("#qbo-read-budget-exhausted")
    assert refused.is_visible()
    assert "Exporting invoices keeps working" in refused.inner_text()
