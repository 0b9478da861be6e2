"""Details of the sandbox OAuth server: validation, error shapes, headers, lifetimes, rotation,
revocation, userinfo, storage, and the Python API the Accounting API half relies on."""
from __future__ import annotations

import base64
import json
import time
from hashlib import sha256
from urllib.parse import urlencode

import jwt
import pytest
import requests
from sqlalchemy import text

from qbo_sandbox import oauth
from qbo_sandbox.db import session_for
from tests.fixtures.sandbox import TEST_REALM
from tests.sandbox.oauth_browser import Browser, authorize, query_of
from tests.shared_data import fixture_path

CID, SECRET = "ABclient0123456789", "s3cret-0123456789"
REDIRECT = "http://localhost:5000/qbo/callback"
EMAIL, PASSWORD = "owner@sunrise.example", "pw-0123"
ACCOUNTING = "com.intuit.quickbooks.accounting"
SAMPLES = str(fixture_path("qbo", "samples"))


@pytest.fixture
def live(live_sandbox):
    oauth.register_client(live_sandbox.app, CID, SECRET, [REDIRECT])
    oauth.register_user(live_sandbox.app, EMAIL, PASSWORD, TEST_REALM)
    return live_sandbox


def auth_url(live, **overrides):
    params = {"client_id": CID, "response_type": "code", "scope": ACCOUNTING,
              "redirect_uri": REDIRECT, "state": "st4te"}
    params.update(overrides)
    return f"{live.base_url}/connect/oauth2?{urlencode(params)}"


def token_post(live, data, auth=(CID, SECRET), headers=None):
    return requests.post(f"{live.base_url}/oauth2/v1/tokens/bearer", data=data, auth=auth,
                         headers={"Accept": "application/json", **(headers or {})})


def get_tokens(live, scope=ACCOUNTING):
    callback = authorize(Browser(), auth_url(live, scope=scope), EMAIL, PASSWORD)
    resp = token_post(live, {"grant_type": "authorization_code", "code": callback["code"],
                             "redirect_uri": REDIRECT})
    assert resp.status_code == 200, resp.text
    return resp.json()


def refresh(live, refresh_token, **kw):
    return token_post(live, {"grant_type": "refresh_token", "refresh_token": refresh_token}, **kw)


INVALID_GRANT = {"error_description": "Token invalid", "error": "invalid_grant"}


# --- discovery ------------------------------------------------------------------------------

def test_discovery_has_intuits_fields_with_absolute_urls(live):
    with open(f"{SAMPLES}/oauth_discovery_document_dotnet_fixture.json", encoding="utf-8-sig") as f:
        intuit = json.load(f)
    doc = requests.get(live.discovery_url).json()
    assert doc.keys() == intuit.keys()
    for key in ("response_types_supported", "subject_types_supported", "scopes_supported",
                "id_token_signing_alg_values_supported", "token_endpoint_auth_methods_supported",
                "claims_supported"):
        assert doc[key] == intuit[key]
    assert doc["issuer"] == f"{live.base_url}/op/v1"
    assert doc["authorization_endpoint"] == f"{live.base_url}/connect/oauth2"
    assert doc["revocation_endpoint"] == f"{live.base_url}/v2/oauth2/tokens/revoke"
    assert doc["userinfo_endpoint"] == f"{live.base_url}/v1/openid_connect/userinfo"
    jwks = requests.get(doc["jwks_uri"]).json()
    assert jwks["keys"][0]["kty"] == "RSA" and "d" not in jwks["keys"][0]


# --- authorization endpoint -----------------------------------------------------------------

@pytest.mark.parametrize("override", [
    {"redirect_uri": "http://localhost:5000/elsewhere"},
    {"redirect_uri": "https://evil.example/qbo/callback"},
    {"client_id": "nobody"},
    {"redirect_uri": ""},
], ids=["other-path", "other-host", "unknown-client", "no-redirect-uri"])
def test_bad_client_or_redirect_shows_error_page_and_never_redirects(live, override):
    resp = requests.get(auth_url(live, **override), allow_redirects=False)
    assert resp.status_code == 400 and "Location" not in resp.headers
    assert 'id="error-code"' in resp.text and "signin-form" not in resp.text


def test_unknown_scope_goes_back_to_the_app(live):
    resp = requests.get(auth_url(live, scope="bogus.scope"), allow_redirects=False)
    assert resp.status_code == 302 and resp.headers["Location"].startswith(REDIRECT)
    params = query_of(resp.headers["Location"])
    assert (params["error"], params["state"]) == ("invalid_scope", "st4te") and "code" not in params


def test_wrong_password_reshows_form_with_error(live):
    browser = Browser()
    page, _ = browser.open(auth_url(live))
    page, left = browser.submit(page, "signin-form", "signin", email=EMAIL, password="nope")
    assert left is None and "signin-form" in page.forms and "signin-error" in page.ids
    assert page.forms["signin-form"].fields["email"] == EMAIL
    page, _ = browser.open(auth_url(live))
    assert "signin-form" in page.forms  # still not signed in


def test_forms_need_the_csrf_token(live):
    browser = Browser()
    browser.open(auth_url(live))
    resp = browser.http.post(auth_url(live), allow_redirects=False,
                             data={"email": EMAIL, "password": PASSWORD, "action": "signin"})
    assert resp.status_code == 400 and "Location" not in resp.headers


def test_sign_out_shows_sign_in_again(live):
    browser = Browser()
    authorize(browser, auth_url(live), EMAIL, PASSWORD)
    page, _ = browser.open(auth_url(live))
    page, _ = browser.submit(page, "signout-form", "signout")
    assert "signin-form" in page.forms


def test_any_loopback_redirect_when_client_has_no_registered_uris(live):
    oauth.register_client(live.app, "loose", "loose-secret-123", redirect_uris=None)
    ok = requests.get(auth_url(live, client_id="loose", redirect_uri="http://127.0.0.1:8123/cb"),
                      allow_redirects=False)
    bad = requests.get(auth_url(live, client_id="loose", redirect_uri="https://example.com/cb"),
                       allow_redirects=False)
    assert ok.status_code == 200 and "signin-form" in ok.text
    assert bad.status_code == 400


# --- token endpoint -------------------------------------------------------------------------

def test_token_response_shape_and_headers(live):
    callback = authorize(Browser(), auth_url(live), EMAIL, PASSWORD)
    resp = token_post(live, {"grant_type": "authorization_code", "code": callback["code"],
                             "redirect_uri": REDIRECT})
    assert resp.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert resp.headers["Cache-Control"] == "no-cache, no-store"
    assert resp.headers["Pragma"] == "no-cache" and resp.headers["intuit_tid"].startswith("1-")
    body = resp.json()
    assert list(body) == ["access_token", "refresh_token", "token_type", "expires_in",
                          "x_refresh_token_expires_in"]  # no id_token without openid
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["x_refresh_token_expires_in"] == 8726400
    assert resp.text.startswith('{"access_token":"')  # compact, Intuit's key order


def test_client_secret_post_is_accepted(live):
    callback = authorize(Browser(), auth_url(live), EMAIL, PASSWORD)
    resp = token_post(live, {"grant_type": "authorization_code", "code": callback["code"],
                             "redirect_uri": REDIRECT, "client_id": CID,
                             "client_secret": SECRET}, auth=None)
    assert resp.status_code == 200 and resp.json()["refresh_token"].startswith("AB11")


@pytest.mark.parametrize("method", ["basic", "post"])
@pytest.mark.parametrize("client_id,secret", [(CID, "wrong"), ("nobody", SECRET)],
                         ids=["bad-secret", "unknown-client"])
def test_bad_client_credentials_are_invalid_client_401(live, method, client_id, secret):
    data = {"grant_type": "refresh_token", "refresh_token": "AB11whatever"}
    if method == "basic":
        resp = token_post(live, data, auth=(client_id, secret))
    else:
        resp = token_post(live, {**data, "client_id": client_id, "client_secret": secret}, auth=None)
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Basic")
    assert resp.json()["error"] == "invalid_client" and resp.headers["intuit_tid"]
    assert resp.headers["Content-Type"] == "application/json;charset=UTF-8"


def test_unsupported_grant_type_and_missing_parameters(live):
    resp = token_post(live, {"grant_type": "password", "username": "a", "password": "b"})
    assert resp.status_code == 400 and resp.json()["error"] == "unsupported_grant_type"
    resp = token_post(live, {"grant_type": "authorization_code", "redirect_uri": REDIRECT})
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_request"
    resp = token_post(live, {"grant_type": "refresh_token"})
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_request"


def test_code_needs_the_same_redirect_uri_and_client(live):
    oauth.register_client(live.app, "other", "other-secret-123", [REDIRECT])
    callback = authorize(Browser(), auth_url(live), EMAIL, PASSWORD)
    resp = token_post(live, {"grant_type": "authorization_code", "code": callback["code"],
                             "redirect_uri": REDIRECT}, auth=("other", "other-secret-123"))
    assert resp.status_code == 400 and resp.json() == INVALID_GRANT
    callback = authorize(Browser(), auth_url(live), EMAIL, PASSWORD)
    resp = token_post(live, {"grant_type": "authorization_code", "code": callback["code"],
                             "redirect_uri": REDIRECT + "x"})
    assert resp.status_code == 400 and resp.json() == INVALID_GRANT


def test_refresh_token_of_another_client_is_invalid_grant(live):
    oauth.register_client(live.app, "other", "other-secret-123", [REDIRECT])
    tokens = get_tokens(live)
    resp = refresh(live, tokens["refresh_token"], auth=("other", "other-secret-123"))
    assert resp.status_code == 400 and resp.json() == INVALID_GRANT


def test_superseded_refresh_token_works_during_grace_period(live):
    live.app.config["REFRESH_TOKEN_GRACE_SECONDS"] = 60
    old = get_tokens(live)["refresh_token"]
    assert refresh(live, old).status_code == 200
    assert refresh(live, old).status_code == 200  # still inside the grace period
    live.app.config["REFRESH_TOKEN_GRACE_SECONDS"] = 0
    assert refresh(live, old).json() == INVALID_GRANT


def test_refresh_expiry_rolls_and_stops_at_the_hard_maximum(live):
    live.app.config["REFRESH_TOKEN_HARD_LIFETIME"] = 100
    tokens = get_tokens(live)
    assert 98 <= tokens["x_refresh_token_expires_in"] <= 100
    resp = refresh(live, tokens["refresh_token"],
                   headers={"x-include-refresh-token-hard-expires-in": "true"})
    body = resp.json()
    assert body["x_refresh_token_expires_in"] == body["x_refresh_token_hard_expires_in"] <= 100


def test_expired_refresh_token_is_invalid_grant(live):
    live.app.config["REFRESH_TOKEN_LIFETIME"] = 0
    tokens = get_tokens(live)
    resp = refresh(live, tokens["refresh_token"])
    assert resp.status_code == 400 and resp.json() == INVALID_GRANT


def test_access_token_expires(live):
    live.app.config["ACCESS_TOKEN_LIFETIME"] = 1
    tokens = get_tokens(live)
    assert tokens["expires_in"] == 1
    assert oauth.resolve_bearer(live.app, tokens["access_token"]).ok
    time.sleep(1.1)
    result = oauth.resolve_bearer(live.app, tokens["access_token"])
    assert (result.ok, result.problem, result.realm_id) == (False, "expired", TEST_REALM)
    # The refresh token still works and gives a fresh access token.
    fresh = refresh(live, tokens["refresh_token"]).json()["access_token"]
    assert oauth.resolve_bearer(live.app, fresh).ok


@pytest.mark.parametrize("value", ["", "short", "x" * 5000, "has space in it 0123456789abcdef"])
def test_resolve_bearer_malformed(sandbox_app, value):
    assert oauth.resolve_bearer(sandbox_app, value).problem == "malformed"


def test_resolve_bearer_unknown_token_is_invalid(sandbox_app):
    from qbo_sandbox.oauth.tokens import new_access_token

    assert oauth.resolve_bearer(sandbox_app, new_access_token()).problem == "invalid"


# --- revocation -----------------------------------------------------------------------------

def revoke(live, token, auth=(CID, SECRET)):
    return requests.post(f"{live.base_url}/v2/oauth2/tokens/revoke", json={"token": token},
                         auth=auth, headers={"Accept": "application/json"})


def test_revoking_the_access_token_ends_the_grant(live):
    tokens = get_tokens(live)
    resp = revoke(live, tokens["access_token"])
    assert resp.status_code == 200 and resp.content == b""
    assert oauth.resolve_bearer(live.app, tokens["access_token"]).problem == "invalid"
    assert refresh(live, tokens["refresh_token"]).json() == INVALID_GRANT


def test_revocation_errors(live):
    tokens = get_tokens(live)
    assert revoke(live, tokens["refresh_token"], auth=(CID, "wrong")).status_code == 401
    assert revoke(live, "AB11unknown0000000000000000000000").status_code == 200
    oauth.register_client(live.app, "other", "other-secret-123", [REDIRECT])
    assert revoke(live, tokens["refresh_token"], auth=("other", "other-secret-123")).status_code == 200
    assert oauth.resolve_bearer(live.app, tokens["access_token"]).ok  # not the other's to revoke
    resp = requests.post(f"{live.base_url}/v2/oauth2/tokens/revoke", json={}, auth=(CID, SECRET))
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_request"


# --- userinfo -------------------------------------------------------------------------------

def test_userinfo_needs_a_valid_openid_token(live):
    url = f"{live.base_url}/v1/openid_connect/userinfo"
    resp = requests.get(url)
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")
    accounting_only = get_tokens(live)["access_token"]
    resp = requests.get(url, headers={"Authorization": f"Bearer {accounting_only}"})
    assert resp.status_code == 403
    openid = get_tokens(live, scope="openid email")["access_token"]
    body = requests.get(url, headers={"Authorization": f"Bearer {openid}"}).json()
    assert body["email"] == EMAIL and body["emailVerified"] is True and "givenName" not in body


# --- storage and Python API -----------------------------------------------------------------

def test_database_holds_no_usable_credential(live):
    tokens = get_tokens(live, scope=f"{ACCOUNTING} openid")
    secrets_seen = [tokens["access_token"], tokens["refresh_token"], SECRET, PASSWORD]
    with session_for(live.app) as s:
        dump = []
        for table in ("oauth_client", "oauth_user", "oauth_grant", "oauth_code", "oauth_token"):
            dump += [repr(tuple(row)) for row in s.execute(text(f"SELECT * FROM {table}"))]
    blob = "\n".join(dump)
    assert sha256(tokens["access_token"].encode()).hexdigest() in blob  # stored, as a hash
    for value in secrets_seen:
        assert value not in blob


def test_register_client_and_user_are_idempotent_updates(live):
    oauth.register_client(live.app, CID, "new-secret-0123456", [REDIRECT])
    oauth.register_user(live.app, EMAIL.upper(), "new-password", TEST_REALM)
    browser = Browser()
    page, _ = browser.open(auth_url(live))
    page, _ = browser.submit(page, "signin-form", "signin", email=EMAIL, password=PASSWORD)
    assert "signin-error" in page.ids  # the old password no longer works
    callback = authorize(browser, auth_url(live), EMAIL, "new-password")
    data = {"grant_type": "authorization_code", "code": callback["code"], "redirect_uri": REDIRECT}
    assert token_post(live, data).status_code == 401  # old secret
    assert token_post(live, data, auth=(CID, "new-secret-0123456")).status_code == 200


def test_register_user_needs_an_existing_company(sandbox_app):
    with pytest.raises(ValueError):
        oauth.register_user(sandbox_app, "x@y.z", "pw", "no-such-realm")


def test_issue_tokens_for_tests_matches_the_endpoint(live):
    body = oauth.issue_tokens_for_tests(live.app, CID, TEST_REALM)
    assert list(body) == ["access_token", "refresh_token", "token_type", "expires_in",
                          "x_refresh_token_expires_in"]
    result = oauth.resolve_bearer(live.app, body["access_token"])
    assert result.ok and result.realm_id == TEST_REALM and result.client_id == CID
    assert refresh(live, body["refresh_token"]).status_code == 200
    with pytest.raises(ValueError):
        oauth.issue_tokens_for_tests(live.app, "nobody", TEST_REALM)


def test_issue_tokens_for_tests_id_token_verifies_against_jwks(live):
    body = oauth.issue_tokens_for_tests(live.app, CID, TEST_REALM, scope=f"{ACCOUNTING} openid")
    jwks = jwt.PyJWKSet.from_dict(requests.get(f"{live.base_url}/op/v1/jwks").json())
    kid = jwt.get_unverified_header(body["id_token"])["kid"]
    claims = jwt.decode(body["id_token"], jwks[kid].key, audience=CID, algorithms=["RS256"])
    assert claims["realmid"] == TEST_REALM


def test_concurrent_refreshes_with_one_token_yield_one_new_token(tmp_path):
    """Two clients racing with the same refresh token: exactly one wins (no forked token chains)."""
    import threading

    from qbo_sandbox import oauth
    from tests.fixtures.sandbox import make_sandbox_app

    app = make_sandbox_app(tmp_path)
    oauth.register_client(app, "race-client", "race-secret")
    tokens = oauth.issue_tokens_for_tests(app, "race-client", TEST_REALM)
    results = []
    barrier = threading.Barrier(6)

    def refresh():
        client = app.test_client()
        barrier.wait()
        response = client.post("/oauth2/v1/tokens/bearer", data={
            "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
            headers={"Authorization": "Basic " + base64.b64encode(b"race-client:race-secret").decode()})
        results.append(response.status_code)

    threads = [threading.Thread(target=refresh) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200] + [400] * 5
