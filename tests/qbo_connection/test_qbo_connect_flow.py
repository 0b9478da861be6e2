"""Connecting to QuickBooks against the local sandbox, over real HTTP on both sides.

The person's browser is a requests session that signs in to CareLedger, presses Connect, signs in
to the sandbox's QuickBooks pages, presses Authorize (or Cancel), and follows the redirect back.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import httpx2
import pytest

from tests.qbo_connection.conftest import (CALLBACK_PATH, COMPANY, OTHER_COMPANY, OTHER_QBO_USER, OTHER_REALM,
                                REALM, Person)


# --- helpers -----------------------------------------------------------------------------------

def stored(live):
    """(row, access token, refresh token) as CareLedger stores them, decrypted."""
    from services.qbo_connection import crypto as qbo_crypto
    from services.qbo_connection.tokens import read_row

    with live.app.app_context():
        row = read_row(live.app)
        if row is None:
            return None, None, None
        access = qbo_crypto.decrypt(row.access_token_enc) if row.access_token_enc else None
        refresh = qbo_crypto.decrypt(row.refresh_token_enc) if row.refresh_token_enc else None
    return row, access, refresh


def sandbox_tokens(sandbox):
    from qbo_sandbox.db import session_for
    from qbo_sandbox.oauth.models import OAuthGrant, OAuthToken

    with session_for(sandbox) as s:
        return list(s.query(OAuthToken)), {g.id: g for g in s.query(OAuthGrant)}


def live_refresh_tokens(sandbox):
    """Refresh tokens the sandbox would still accept."""
    tokens, grants = sandbox_tokens(sandbox)
    now = time.time()
    return [t for t in tokens if t.kind == "refresh" and t.revoked_at is None
            and t.superseded_at is None and t.expires_at > now and grants[t.grant_id].revoked_at is None]


def digest(value: str) -> str:
    from qbo_sandbox.oauth.tokens import digest as sandbox_digest

    return sandbox_digest(value)


def api_status(live, access_token: str) -> int:
    response = httpx2.get(f"{live.sandbox_url}/v3/company/{REALM}/companyinfo/{REALM}",
                         params={"minorversion": 75},
                         headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"})
    return response.status_code


def call_company_info(live):
    from services.qbo_connection import connected_client

    with live.app.app_context():
        return connected_client().company_info()


def age_access_token(live, seconds_left: float = -60) -> None:
    """Make CareLedger believe its access token expires in `seconds_left` seconds."""
    from sqlalchemy import update

    from extensions import db
    from models.qbo import QboConnection

    with live.app.app_context():
        with db.engine.begin() as conn:
            conn.execute(update(QboConnection.__table__).values(
                access_expires_at=datetime.now(timezone.utc) + timedelta(seconds=seconds_left)))


# --- connecting --------------------------------------------------------------------------------

def test_full_connect_flow_over_real_http(live, person):
    callback, response = person.connect(mode="popup")
    assert response.status_code == 200
    assert 'data-outcome="connected"' in response.text
    assert f"Connected to {COMPANY}" in response.text

    row, access, refresh = stored(live)
    assert row.status.value == "connected"
    assert row.realm_id == REALM
    assert row.company_name == COMPANY             # read from CompanyInfo
    assert row.environment == "local"
    assert access and refresh and api_status(live, access) == 200
    assert row.refresh_expires_at > datetime.now(timezone.utc) + timedelta(days=90)

    page = person.get("/accounting/quickbooks").text
    assert COMPANY in page and "Owner Person" in page and "Local sandbox" in page
    assert access not in page and refresh not in page

    status = person.get("/accounting/quickbooks/status").json()
    assert status["connected"] and status["company_name"] == COMPANY


def test_full_page_mode_lands_on_sync_settings(live, person):
    _, response = person.connect(mode="page")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/accounting/quickbooks/sync-settings")
    landing = person.get(response.headers["Location"]).text
    assert f"Connected to {COMPANY}" in landing


def test_cancelled_consent_changes_nothing_and_says_so(live, person):
    callback, response = person.connect(decision="cancel")
    assert "error=access_denied" in callback
    assert "You cancelled the connection in QuickBooks" in response.text
    row, _, _ = stored(live)
    assert row is None or row.status.value == "not_connected"


def test_forged_state_is_refused(live, person):
    person.authorization_url()  # a genuine attempt is in progress in this browser
    response = person.get(CALLBACK_PATH + f"?code=AB11forgedcode&state=forged-state&realmId={REALM}",
                          allow_redirects=False)
    assert response.status_code == 400
    assert "could not be verified" in response.text
    assert stored(live)[0] is None


def test_state_from_another_persons_session_is_refused(live, person):
    from tests.sandbox.oauth_browser import authorize, query_of

    other = Person(live).sign_in("admin")
    params = authorize(other, other.authorization_url(), "bookkeeper@sunrise.example", "qbo-pass-1")
    # The owner's browser is made to load the admin's callback (login CSRF / session fixation).
    query = "&".join(f"{k}={v}" for k, v in params.items())
    person.authorization_url()
    response = person.get(CALLBACK_PATH + "?" + query, allow_redirects=False)
    assert response.status_code == 400 and "could not be verified" in response.text
    assert stored(live)[0] is None
    assert query_of("?" + query)["state"]


def test_replayed_callback_is_refused_even_with_the_old_session_cookie(live, person):
    params_url = None
    from tests.sandbox.oauth_browser import authorize

    url = person.authorization_url()
    params = authorize(person, url, "bookkeeper@sunrise.example", "qbo-pass-1")
    params_url = CALLBACK_PATH + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    cookies_before = person.http.cookies.copy()     # the session still holding the state
    first = person.get(params_url, allow_redirects=False)
    assert first.status_code == 200 and 'data-outcome="connected"' in first.text
    version = stored(live)[0].token_version

    again = person.get(params_url, allow_redirects=False)
    assert again.status_code == 400 and "could not be verified" in again.text

    person.http.cookies = cookies_before              # replay with the pre-callback cookie
    replay = person.get(params_url, allow_redirects=False)
    assert replay.status_code == 400 and "could not be verified" in replay.text
    assert stored(live)[0].token_version == version   # nothing was overwritten


def test_expired_state_is_refused(live, person):
    from sqlalchemy import update

    from extensions import db
    from models.qbo import QboOAuthState
    from tests.sandbox.oauth_browser import authorize

    params = authorize(person, person.authorization_url(), "bookkeeper@sunrise.example", "qbo-pass-1")
    with live.app.app_context():
        with db.engine.begin() as conn:
            conn.execute(update(QboOAuthState.__table__).values(
                created_at=datetime.now(timezone.utc) - timedelta(minutes=11)))
    response = person.get(CALLBACK_PATH + "?" + "&".join(f"{k}={v}" for k, v in params.items()),
                          allow_redirects=False)
    assert response.status_code == 400 and "took too long" in response.text


# --- keeping tokens alive ----------------------------------------------------------------------

def test_refresh_rotates_and_stores_the_new_refresh_token(live, person):
    person.connect()
    row, access, refresh = stored(live)
    age_access_token(live, seconds_left=120)  # inside the 5-minute early window
    assert call_company_info(live)["CompanyName"] == COMPANY
    new_row, new_access, new_refresh = stored(live)
    assert new_refresh != refresh and new_access != access
    assert new_row.token_version == row.token_version + 1
    assert [t.token_hash for t in live_refresh_tokens(live.sandbox)] == [digest(new_refresh)]
    # and the stored one really works: a second refresh goes through
    age_access_token(live)
    call_company_info(live)
    assert stored(live)[2] != new_refresh


def test_concurrent_refreshes_keep_one_valid_chain(live, person):
    person.connect()
    _, _, first_refresh = stored(live)
    age_access_token(live)
    threads, errors, names = 8, [], []
    barrier = threading.Barrier(threads)

    def worker():
        try:
            barrier.wait()
            names.append(call_company_info(live)["CompanyName"])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(60)
    assert errors == []
    assert names == [COMPANY] * threads
    row, access, refresh = stored(live)
    assert row.status.value == "connected"
    chain = live_refresh_tokens(live.sandbox)
    assert [t.token_hash for t in chain] == [digest(refresh)]    # one valid refresh token: ours
    all_refresh = [t for t in sandbox_tokens(live.sandbox)[0] if t.kind == "refresh"]
    assert len(all_refresh) == 2   # the original plus exactly one rotation: only one refresher ran
    assert refresh != first_refresh and api_status(live, access) == 200


def test_access_token_expiring_mid_use_is_refreshed_once_on_401(tmp_path):
    from tests.qbo_connection.conftest import make_sandbox, start

    sandbox = make_sandbox(tmp_path, ACCESS_TOKEN_LIFETIME=1)
    live, stop = start(tmp_path, sandbox)
    try:
        person = Person(live).sign_in("owner")
        person.connect()
        # CareLedger thinks the token is good for an hour; QuickBooks lets it lapse after 1 s.
        age_access_token(live, seconds_left=3600)
        time.sleep(1.2)
        version = stored(live)[0].token_version
        assert call_company_info(live)["CompanyName"] == COMPANY
        row, access, _ = stored(live)
        assert row.token_version == version + 1     # refreshed exactly once, after the 401
        assert row.last_error == ""
    finally:
        stop()


def test_revoked_refresh_token_shows_the_reconnect_banner_and_keeps_everything(live, person):
    from qbo.errors import ReconnectRequired
    from qbo_sandbox.oauth import store as sandbox_store
    from tests.qbo_connection.conftest import CLIENT_ID

    person.connect()
    _, _, refresh = stored(live)
    sandbox_store.revoke_token(live.sandbox, refresh, CLIENT_ID)  # e.g. disconnected in QuickBooks
    age_access_token(live)
    with pytest.raises(ReconnectRequired):
        call_company_info(live)
    row, access, refresh_after = stored(live)
    assert row.status.value == "reconnect_required"
    assert row.realm_id == REALM and row.company_name == COMPANY
    assert access is None and refresh_after is None
    for path in ("/accounting/quickbooks", "/accounting/quickbooks/sync-settings",
                 "/accounting/quickbooks/client-matching"):
        page = person.get(path).text
        assert 'id="qbo-reconnect-banner"' in page and "Reconnect to QuickBooks" in page, path
    # Reconnecting to the same company needs no confirmation and clears the banner.
    _, response = person.connect()
    assert 'data-outcome="connected"' in response.text
    assert 'qbo-reconnect-banner' not in person.get("/accounting/quickbooks").text


# --- disconnecting and switching -----------------------------------------------------------------

def test_disconnect_revokes_at_the_sandbox_and_forgets_tokens(live, person):
    person.connect()
    _, access, refresh = stored(live)
    assert api_status(live, access) == 200
    response = person.http.post(live.path("/accounting/quickbooks/disconnect"),
                                data={"csrf_token": person.csrf("/accounting/quickbooks")})
    assert "Disconnected from Sunrise Home Care LLC" in response.text
    assert api_status(live, access) == 401           # the old token is dead at QuickBooks
    assert live_refresh_tokens(live.sandbox) == []
    row, access_after, refresh_after = stored(live)
    assert row.status.value == "disconnected" and access_after is None and refresh_after is None
    assert row.realm_id == REALM                     # kept for reconnecting to the same company
    _, again = person.connect()
    assert 'data-outcome="connected"' in again.text


def test_connecting_a_different_company_asks_first(live, person):
    person.connect()
    _, old_access, _ = stored(live)
    person.sign_out_of_quickbooks()
    callback, response = person.connect(qbo_user=OTHER_QBO_USER)
    assert response.status_code == 302 and "/accounting/quickbooks/switch/" in response.headers["Location"]
    confirm = person.get(response.headers["Location"])
    assert OTHER_COMPANY in confirm.text and COMPANY in confirm.text
    assert "belong to" in confirm.text
    assert stored(live)[0].realm_id == REALM         # nothing switched yet

    # "Keep" leaves everything and hands the other company's access back.
    keep = person.http.post(confirm.url, data={"csrf_token": person.csrf("/accounting/quickbooks"),
                                               "decision": "keep"})
    assert "Kept the current QuickBooks company" in keep.text
    assert stored(live)[0].realm_id == REALM
    _, grants = sandbox_tokens(live.sandbox)
    other_grants = [g for g in grants.values() if g.realm_id == OTHER_REALM]
    assert other_grants and all(g.revoked_at for g in other_grants)

    # Second time, switch: the old company's grant is ended, the previous realm remembered.
    _, response = person.connect(qbo_user=OTHER_QBO_USER)
    confirm = person.get(response.headers["Location"])
    switched = person.http.post(confirm.url, data={
        "csrf_token": person.csrf("/accounting/quickbooks"), "decision": "switch"})
    assert f"Switched to {OTHER_COMPANY}" in switched.text
    row, access, _ = stored(live)
    assert (row.realm_id, row.company_name) == (OTHER_REALM, OTHER_COMPANY)
    assert (row.previous_realm_id, row.previous_company_name) == (REALM, COMPANY)
    assert api_status(live, old_access) == 401
    # the switch page cannot be used twice
    assert person.http.post(confirm.url, data={
        "csrf_token": person.csrf("/accounting/quickbooks"), "decision": "switch"}).status_code == 400


def test_check_connection_refreshes_the_status_fragment(live, person):
    person.connect()
    token = person.csrf("/accounting/quickbooks")
    fragment = person.http.post(live.path("/accounting/quickbooks/check"),
                                headers={"HX-Request": "true", "X-CSRFToken": token})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div id="qbo-status"')
    assert COMPANY in fragment.text and "<nav" not in fragment.text


def test_check_connection_says_ok_or_not_in_a_toast(live, person):
    from qbo_sandbox.oauth import store as sandbox_store
    from tests.qbo_connection.conftest import CLIENT_ID

    person.connect()
    token = person.csrf("/accounting/quickbooks")
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    fragment = person.http.post(live.path("/accounting/quickbooks/check"), headers=headers).text
    assert '<div id="toasts"' in fragment and 'hx-swap-oob="innerHTML"' in fragment
    assert f"Connection OK: QuickBooks answered for {COMPANY}." in fragment
    _, _, refresh = stored(live)
    sandbox_store.revoke_token(live.sandbox, refresh, CLIENT_ID)   # disconnected in QuickBooks
    age_access_token(live)
    fragment = person.http.post(live.path("/accounting/quickbooks/check"), headers=headers).text
    assert "Not OK: QuickBooks did not answer (" in fragment and "Connection OK" not in fragment
    assert "Not OK" not in person.get("/accounting/quickbooks").text   # delivered once, not again


def test_agency_user_is_refused_connecting_over_http(live):
    agency = Person(live).sign_in("agency_user")
    assert agency.start_connect().status_code == 403
    page = agency.get("/accounting/quickbooks").text
    assert "Only an Owner or Admin can connect" in page
