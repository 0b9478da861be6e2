"""The whole OAuth dance against the sandbox, driven by Intuit's own client (intuit-oauth)."""
from __future__ import annotations

import json

import jwt
import pytest
import requests
from intuitlib.client import AuthClient
from intuitlib.enums import Scopes
from intuitlib.exceptions import AuthClientError

from qbo_sandbox import oauth
from tests.fixtures.sandbox import TEST_COMPANY, TEST_REALM, make_sandbox_app, serve
from tests.sandbox.oauth_browser import Browser, authorize

CLIENT_ID, SECRET = "ABcareledgerClientId0123456789", "sandbox-secret-0123456789"
REDIRECT = "http://localhost:5000/qbo/callback"
EMAIL, PASSWORD = "owner@sunrise.example", "correct horse battery"


def _setup(app):
    oauth.register_client(app, CLIENT_ID, SECRET, [REDIRECT], name="CareLedger")
    oauth.register_user(app, EMAIL, PASSWORD, TEST_REALM, given_name="Olive",
                        family_name="Owner", phone_number="+1 5035550100")


@pytest.fixture(params=["", "/qbo-sandbox"], ids=["standalone", "mounted"])
def live(request, tmp_path):
    app = make_sandbox_app(tmp_path)
    _setup(app)
    live, stop = serve(app, request.param)
    yield live
    stop()


def _client(live, secret=SECRET):
    return AuthClient(CLIENT_ID, secret, REDIRECT, environment=live.discovery_url)


def test_full_dance_with_intuit_oauth(live):
    client = _client(live)
    assert client.token_endpoint == f"{live.base_url}/oauth2/v1/tokens/bearer"
    url = client.get_authorization_url([Scopes.ACCOUNTING, Scopes.OPENID, Scopes.EMAIL,
                                        Scopes.PROFILE, Scopes.PHONE])
    callback = authorize(Browser(), url, EMAIL, PASSWORD)
    assert callback["state"] == client.state_token
    assert callback["realmId"] == TEST_REALM

    client.get_bearer_token(callback["code"], realm_id=callback["realmId"])
    assert client.expires_in == 3600 and client.x_refresh_token_expires_in == 8726400
    assert client.refresh_token.startswith("AB11") and len(client.access_token) > 500
    # intuitlib keeps id_token only after verifying its signature against our jwks.
    assert client.id_token is not None
    claims = jwt.decode(client.id_token, options={"verify_signature": False})
    assert claims["aud"] == [CLIENT_ID] and claims["realmid"] == TEST_REALM
    assert claims["iss"] == f"{live.base_url}/op/v1"
    assert {"sub", "auth_time", "exp", "iat"} <= claims.keys()
    bearer = oauth.resolve_bearer(live.app, client.access_token)
    assert bearer.ok and bearer.realm_id == TEST_REALM and bearer.client_id == CLIENT_ID

    # Refresh rotates: a new pair, and the superseded refresh token is dead at once.
    first_access, first_refresh = client.access_token, client.refresh_token
    client.refresh()
    assert client.refresh_token != first_refresh and client.access_token != first_access
    with pytest.raises(AuthClientError) as err:
        client.refresh(refresh_token=first_refresh)
    assert err.value.status_code == 400
    assert json.loads(err.value.content) == {"error_description": "Token invalid",
                                             "error": "invalid_grant"}
    assert err.value.intuit_tid

    info = client.get_user_info().json()
    assert info == {"sub": claims["sub"], "email": EMAIL, "emailVerified": True,
                    "givenName": "Olive", "familyName": "Owner",
                    "phoneNumber": "+1 5035550100", "phoneNumberVerified": False}

    assert client.revoke() is True  # revokes the current refresh token: the whole grant
    assert oauth.resolve_bearer(live.app, client.access_token).problem == "invalid"
    assert oauth.resolve_bearer(live.app, first_access).problem == "invalid"
    with pytest.raises(AuthClientError) as err:
        client.refresh()
    assert err.value.status_code == 400


def test_second_authorization_in_same_browser_skips_sign_in(live):
    browser = Browser()
    client = _client(live)
    authorize(browser, client.get_authorization_url([Scopes.ACCOUNTING]), EMAIL, PASSWORD)
    page, left = browser.open(client.get_authorization_url([Scopes.ACCOUNTING]))
    assert left is None and "consent-form" in page.forms and "signin-form" not in page.forms
    assert TEST_COMPANY in page.html and "CareLedger" in page.html


def test_openid_only_callback_has_no_realm(live):
    client = _client(live)
    callback = authorize(Browser(), client.get_authorization_url([Scopes.OPENID, Scopes.EMAIL]),
                         EMAIL, PASSWORD)
    assert "realmId" not in callback and callback["code"]
    client.get_bearer_token(callback["code"])
    assert client.id_token is not None
    assert "realmid" not in jwt.decode(client.id_token, options={"verify_signature": False})
    assert oauth.resolve_bearer(live.app, client.access_token).realm_id is None


def test_cancel_redirects_with_access_denied(live):
    client = _client(live)
    url = client.get_authorization_url([Scopes.ACCOUNTING])
    callback = authorize(Browser(), url, EMAIL, PASSWORD, decision="cancel")
    assert callback == {"error": "access_denied", "state": client.state_token}


def test_reused_code_is_refused_and_revokes_its_tokens(live):
    client = _client(live)
    callback = authorize(Browser(), client.get_authorization_url([Scopes.ACCOUNTING]),
                         EMAIL, PASSWORD)
    client.get_bearer_token(callback["code"])
    issued = client.access_token
    assert oauth.resolve_bearer(live.app, issued).ok
    with pytest.raises(AuthClientError) as err:
        client.get_bearer_token(callback["code"])
    assert err.value.status_code == 400
    assert json.loads(err.value.content)["error"] == "invalid_grant"
    assert oauth.resolve_bearer(live.app, issued).problem == "invalid"
    with pytest.raises(AuthClientError):
        client.refresh()


def test_expired_code_is_refused(live):
    live.app.config["AUTH_CODE_LIFETIME"] = 0  # read at issue time: expired on arrival
    client = _client(live)
    callback = authorize(Browser(), client.get_authorization_url([Scopes.ACCOUNTING]),
                         EMAIL, PASSWORD)
    with pytest.raises(AuthClientError) as err:
        client.get_bearer_token(callback["code"])
    assert err.value.status_code == 400
    assert json.loads(err.value.content) == {"error_description": "Token invalid",
                                             "error": "invalid_grant"}


def test_bad_client_secret_is_invalid_client(live):
    client = _client(live, secret="wrong")
    callback = authorize(Browser(), client.get_authorization_url([Scopes.ACCOUNTING]),
                         EMAIL, PASSWORD)
    with pytest.raises(AuthClientError) as err:
        client.get_bearer_token(callback["code"])
    assert err.value.status_code == 401
    assert err.value.headers["WWW-Authenticate"].startswith("Basic")
    assert json.loads(err.value.content)["error"] == "invalid_client"


def test_hard_expiry_header_on_refresh(live):
    client = _client(live)
    callback = authorize(Browser(), client.get_authorization_url([Scopes.ACCOUNTING]),
                         EMAIL, PASSWORD)
    client.get_bearer_token(callback["code"])
    assert not hasattr(client, "x_refresh_token_hard_expires_in")
    resp = requests.post(client.token_endpoint, auth=(CLIENT_ID, SECRET),
                         headers={"Accept": "application/json",
                                  "x-include-refresh-token-hard-expires-in": "true"},
                         data={"grant_type": "refresh_token",
                               "refresh_token": client.refresh_token})
    body = resp.json()
    assert resp.status_code == 200
    assert list(body) == ["access_token", "refresh_token", "token_type", "expires_in",
                          "x_refresh_token_expires_in", "x_refresh_token_hard_expires_in"]
    five_years = 5 * 365 * 86400
    assert five_years - 60 < body["x_refresh_token_hard_expires_in"] <= five_years
