"""Finding 5: the OAuth callback does not trust the realmId in its URL, and a junk callback does
not cancel the connect in progress."""
from __future__ import annotations

from tests.qbo_connection.conftest import CALLBACK_PATH, COMPANY, OTHER_REALM, QBO_USER, REALM
from tests.qbo_connection.test_qbo_connect_flow import api_status, digest, live_refresh_tokens, stored
from tests.sandbox.oauth_browser import authorize


def _forged_callback(person, realm_id: str):
    """A genuine consent whose redirect has its realmId replaced on the way back."""
    params = authorize(person, person.authorization_url(), *QBO_USER)
    assert params["realmId"] == REALM
    params["realmId"] = realm_id
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return person.get(f"{CALLBACK_PATH}?{query}", allow_redirects=False)


def test_a_forged_realm_on_a_first_connect_connects_nothing(live, person):
    response = _forged_callback(person, OTHER_REALM)
    assert response.status_code == 400
    assert "does not match" in response.text and "Nothing was changed" in response.text
    row, _, _ = stored(live)
    assert row is None or (row.status.value == "not_connected" and row.realm_id is None)


def test_a_forged_realm_neither_switches_nor_revokes_the_real_company(live, person):
    person.connect()
    before, access, refresh = stored(live)
    response = _forged_callback(person, OTHER_REALM)
    assert response.status_code == 400 and "/switch/" not in response.headers.get("Location", "")
    after, access_after, refresh_after = stored(live)
    assert (after.realm_id, after.company_name, after.status.value) == (REALM, COMPANY, "connected")
    assert (access_after, refresh_after) == (access, refresh)
    assert api_status(live, access) == 200
    assert digest(refresh) in {t.token_hash for t in live_refresh_tokens(live.sandbox)}


def test_a_junk_callback_does_not_cancel_the_connect_in_progress(live, person):
    url = person.authorization_url()
    junk = person.get(f"{CALLBACK_PATH}?code=x&state=junk&realmId={REALM}", allow_redirects=False)
    assert junk.status_code == 400
    params = authorize(person, url, *QBO_USER)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = person.get(f"{CALLBACK_PATH}?{query}", allow_redirects=False)
    assert 'data-outcome="connected"' in response.text
    assert stored(live)[0].realm_id == REALM


def test_without_an_id_token_claim_the_companyinfo_check_still_refuses(live, person, monkeypatch):
    import services.qbo_connection.realm_check as realm_check

    monkeypatch.setattr(realm_check, "id_token_realm", lambda id_token: None)
    person.connect()
    _, access, _ = stored(live)
    response = _forged_callback(person, OTHER_REALM)
    assert response.status_code == 400 and "does not match" in response.text
    assert stored(live)[0].realm_id == REALM and api_status(live, access) == 200


def test_the_realmid_claim_is_read_from_the_id_token():
    import base64
    import json

    from services.qbo_connection.realm_check import id_token_realm

    def token(claims):
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return f"eyJhbGciOiJSUzI1NiJ9.{body}.sig"

    assert id_token_realm(token({"realmid": "123", "aud": ["x"]})) == "123"
    assert id_token_realm(token({"aud": ["x"]})) is None
    assert id_token_realm("not-a-jwt") is None and id_token_realm(None) is None
