"""Issue 13, the refresh token's 5-year hard expiry: asked for on every token request, stored as
a date (kept when a refresh does not repeat it), shown on the Installation tab, a reconnect
banner on every page for Owners and Admins from 30 days before; the Reconnect page Intuit links
to; refreshes work whether a rotated-out refresh token dies at once or after 24 h."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from extensions import db
from models.qbo import QboConnection
from qbo.oauth import TokenSet
from services.qbo_connection import connected_client
from services.qbo_connection.tokens import read_row, store_token_set
from tests.export.conftest import CLIENT_ID, REALM
from tests.fixtures.sandbox import issue_tokens
from tests.read_budget.conftest import agency_user, signed_in

BANNER = 'id="qbo-hard-expiry-banner"'
DAY = 86400


def _connect_with_hard_expiry(books, seconds: int | None) -> None:
    """Tokens whose grant ends `seconds` from now (Intuit's hard maximum; None: not asked for)."""
    if seconds is not None:
        books.sandbox.config["REFRESH_TOKEN_HARD_LIFETIME"] = seconds
    with books.app.app_context():
        store_token_set(TokenSet.from_response(issue_tokens(
            books.sandbox, CLIENT_ID, REALM, scope="com.intuit.quickbooks.accounting openid",
            include_hard_expiry=seconds is not None)))


def _hard_expiry(app):
    with app.app_context():
        return read_row().refresh_hard_expires_at


def _expire_access_token(app) -> None:
    with app.app_context():
        db.session.execute(update(QboConnection).values(
            access_expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
        db.session.commit()


def _day(moment: datetime) -> str:
    """The app's one date format: "21 Dec 2026"."""
    return f"{moment.day} {moment:%b} {moment.year}"


def test_a_near_hard_expiry_shows_the_banner_on_every_page_for_managers(books):
    _connect_with_hard_expiry(books, 20 * DAY)
    owner = signed_in(books.app)
    for path in ("/", "/billing/batches", "/accounting/quickbooks", "/accounting/quickbooks/sync-settings"):
        page = owner.get(path).get_data(as_text=True)
        assert page.count(BANNER) == 1, path  # once, though the integration tabs include it too
        assert "stops working on" in page and 'href="/accounting/quickbooks/reconnect"' in page
    installation = owner.get("/accounting/quickbooks").get_data(as_text=True)
    shown = _day(_hard_expiry(books.app))
    assert shown in installation.split('id="qbo-hard-expiry"', 1)[1].split("</dd>", 1)[0]

    user = agency_user(books.app)
    assert BANNER not in user.get("/").get_data(as_text=True)


def test_a_far_hard_expiry_shows_no_banner_but_its_date(books):
    _connect_with_hard_expiry(books, 5 * 365 * DAY)
    owner = signed_in(books.app)
    assert BANNER not in owner.get("/").get_data(as_text=True)
    installation = owner.get("/accounting/quickbooks").get_data(as_text=True)
    assert _day(_hard_expiry(books.app)) in installation


@pytest.mark.parametrize("grace", [0, DAY], ids=["strict", "24h-grace"])
def test_refreshes_ask_for_the_hard_expiry_and_keep_it_in_either_grace_mode(books, grace):
    books.sandbox.config["REFRESH_TOKEN_GRACE_SECONDS"] = grace
    books.sandbox.config["REFRESH_TOKEN_HARD_LIFETIME"] = 40 * DAY  # this grant ends in 40 days
    _connect_with_hard_expiry(books, None)  # issued without the header: no date known yet
    assert _hard_expiry(books.app) is None
    with books.app.app_context():
        version = read_row().token_version
    for _ in range(2):  # two rotations in a row
        _expire_access_token(books.app)
        with books.app.app_context():
            assert connected_client().company_info()["CompanyName"]
    with books.app.app_context():
        row = read_row()
    assert row.token_version == version + 2
    # The refresh asked for it (the header): the grant's first issue + 40 days, within a minute.
    left = row.refresh_hard_expires_at - datetime.now(timezone.utc)
    assert timedelta(days=40) - timedelta(minutes=1) < left <= timedelta(days=40)


def test_reconnect_page_starts_connect_for_managers_only(books):
    owner = signed_in(books.app)
    page = owner.get("/accounting/quickbooks/reconnect").get_data(as_text=True)
    assert 'action="/accounting/quickbooks/connect"' in page and 'id="qbo-reconnect-start"' in page
    started = owner.post("/accounting/quickbooks/connect", data={"mode": "page"})
    assert started.status_code == 303 and "/connect/oauth2?" in started.headers["Location"]

    user = agency_user(books.app)
    page = user.get("/accounting/quickbooks/reconnect").get_data(as_text=True)
    assert 'id="qbo-reconnect-start"' not in page and "Only an Owner or Admin" in page

    anonymous = books.app.test_client().get("/accounting/quickbooks/reconnect")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
