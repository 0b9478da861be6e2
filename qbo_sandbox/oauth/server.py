"""Authlib's authorization server, bent to Intuit's behaviour where the two differ.

Authlib does the RFC 6749 work (request validation, client authentication by Basic or
client_secret_post, the code and refresh grants, error redirects). Adapted for Intuit:
- responses: Intuit's headers (content-type with charset, `no-cache, no-store`, intuit_tid),
  compact JSON in Intuit's key order, token_type "bearer", x_refresh_token_expires_in and
  (on request) x_refresh_token_hard_expires_in;
- errors: `{"error_description":"Token invalid","error":"invalid_grant"}` for every bad grant,
  and invalid_client always HTTP 401 with `WWW-Authenticate: Basic`;
- the callback carries realmId; refresh tokens rotate on every use; id_token is built here,
  not by authlib's OpenIDCode (that one wants nonce handling, has no realmid claim and issues
  nothing on refresh, while Intuit's refresh responses carry an id_token too).
"""
from __future__ import annotations

import json

from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Payload, FlaskOAuth2Request
from authlib.oauth2.rfc6749 import OAuth2Request, grants
from flask import Response, current_app, request, url_for

from qbo_sandbox.oauth import keys, store, tokens

SCOPES_SUPPORTED = [
    "com.intuit.quickbooks.accounting", "com.intuit.quickbooks.payment",
    "openid", "profile", "email", "phone", "address", "intuit_name",
    "payroll.compensation.read", "project-management.project",
    "app-foundations.custom-field-definitions", "app-foundations.custom-field-definitions.read",
    "indirect-tax.tax-calculation.quickbooks",
]
HARD_EXPIRY_HEADER = "x-include-refresh-token-hard-expires-in"
AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


def intuit_json(status: int, body: dict | None, extra_headers=()) -> Response:
    """A JSON (or empty) response with the headers Intuit's OAuth endpoints send."""
    payload = "" if body is None else json.dumps(body, separators=(",", ":"))
    headers = [("Cache-Control", "no-cache, no-store"), ("Pragma", "no-cache"),
               ("intuit_tid", tokens.new_intuit_tid()), *extra_headers]
    resp = Response(payload, status=status, headers=headers)
    resp.headers["Content-Type"] = "application/json;charset=UTF-8"
    return resp


def issuer_url() -> str:
    # `<base>/op/v1`, the base being wherever the sandbox is mounted (DispatcherMiddleware prefix).
    return url_for("qbo_oauth.jwks", _external=True).removesuffix("/jwks")


def complete_token_response(app, token: dict, grant_id: int, *, include_hard: bool,
                            issuer: str | None) -> dict:
    """Persist a freshly generated pair and put the body in Intuit's shape and key order."""
    pair = store.store_token_pair(app, grant_id, token["access_token"], token["refresh_token"])
    body = {
        "access_token": token["access_token"],
        "refresh_token": token["refresh_token"],
        "token_type": "bearer",
        "expires_in": pair.expires_in,
        "x_refresh_token_expires_in": pair.refresh_expires_in,
    }
    if include_hard:
        body["x_refresh_token_hard_expires_in"] = pair.hard_expires_in
    grant = pair.grant
    if "openid" in grant.scope.split() and issuer:
        user = store.get_user(app, grant.user_id)
        body["id_token"] = keys.sign_id_token(
            app, issuer=issuer, client_id=grant.client_id,
            sub=user.sub if user else f"sandbox-{grant.realm_id}",
            realm_id=grant.realm_id, auth_time=grant.auth_time)
    return body


def generate_token_strings(grant_type, client, user=None, scope=None, expires_in=None,
                           include_refresh_token=True):
    """authlib token generator: just the strings; lifetimes are settled when stored."""
    return {"access_token": tokens.new_access_token(),
            "refresh_token": tokens.new_refresh_token(), "token_type": "bearer"}


class _Request(FlaskOAuth2Request):
    """authlib refuses plain http except on loopback hosts; the sandbox is a local emulator that
    may be reached over http under any host name, so only that check is shown an https URI."""

    def __init__(self, flask_request):
        url = flask_request.url
        if url.startswith("http://"):
            url = "https://" + url[len("http://"):]
        OAuth2Request.__init__(self, flask_request.method, url, headers=flask_request.headers)
        self._request = flask_request
        self.payload = FlaskOAuth2Payload(flask_request)


class SandboxAuthorizationServer(AuthorizationServer):
    def create_oauth2_request(self, _request):
        return _Request(request)

    def handle_response(self, status_code, payload, headers):
        if status_code in (301, 302, 303):
            return Response("", status=status_code, headers=headers)
        return intuit_json(status_code, payload if isinstance(payload, dict) else None)

    def handle_error_response(self, oauth_request, error):
        if error.redirect_uri:  # authorization endpoint errors go back to the client
            return super().handle_error_response(oauth_request, error)
        description = error.get_error_description()
        extra = []
        if error.error == "invalid_grant":
            description = "Token invalid"  # Intuit says this for any bad code or refresh token
        status = error.status_code
        if error.error == "invalid_client":
            # RFC 6749 §5.2 asks for 401 + WWW-Authenticate when Basic was used; the sandbox
            # answers 401 for client_secret_post too, so clients see one status for bad keys.
            status = 401
            extra.append(("WWW-Authenticate", 'Basic realm="Intuit", error="invalid_client"'))
        return intuit_json(status, {"error_description": description or error.error,
                                    "error": error.error}, extra)


def _save_token(token: dict, oauth_request) -> None:
    app = current_app._get_current_object()
    if oauth_request.refresh_token is not None:
        grant_id = oauth_request.refresh_token.grant_id
    else:
        code = oauth_request.authorization_code
        grant_id = store.create_grant(app, code.client_id, code.user_id, oauth_request.user.realm_id,
                                      code.scope, code.auth_time, code.code_hash)
    include_hard = oauth_request.headers.get(HARD_EXPIRY_HEADER, "").strip().lower() == "true"
    body = complete_token_response(app, token, grant_id, include_hard=include_hard,
                                   issuer=issuer_url())
    # authlib returns the very dict it passed here as the response body.
    token.clear()
    token.update(body)


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def save_authorization_code(self, code, oauth_request):
        store.save_code(current_app, code, oauth_request.client.client_id, oauth_request.user,
                        oauth_request.payload.redirect_uri, oauth_request.scope)

    def generate_authorization_code(self):
        return tokens.new_authorization_code()

    def query_authorization_code(self, code, client):
        return store.redeem_code(current_app, code, client.client_id)

    def delete_authorization_code(self, authorization_code):
        pass  # already marked used by redeem_code; kept to recognise replays

    def authenticate_user(self, authorization_code):
        return store.get_user(current_app, authorization_code.user_id, authorization_code.auth_time)

    def create_authorization_response(self, redirect_uri, grant_user):
        if not grant_user:
            # Denied consent: only error and state, without authlib's error_description
            # (Intuit's exact denial callback is unconfirmed; this is the RFC 6749 minimum).
            params = [("error", "access_denied")]
            if self.request.payload.state:
                params.append(("state", self.request.payload.state))
            return 302, "", [("Location", add_params_to_uri(redirect_uri, params))]
        status, body, headers = super().create_authorization_response(redirect_uri, grant_user)
        if store.wants_company(self.request.scope or ""):
            headers = [(k, add_params_to_uri(v, [("realmId", grant_user.realm_id)])
                        if k == "Location" else v) for k, v in headers]
        return status, body, headers


class RotatingRefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    # Intuit: "the refresh response returns a refresh_token that may differ; store the latest".
    # The sandbox always rotates, so clients that keep the old one fail fast in tests.
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        credential = store.find_refresh_token(current_app, refresh_token)
        if credential is None or float(current_app.config["REFRESH_TOKEN_GRACE_SECONDS"]) > 0:
            return credential
        # Without a grace period a refresh token is good for exactly one refresh: claim it
        # atomically, so of two concurrent refreshes with the same token only one succeeds.
        return credential if store.supersede_refresh_token(current_app, credential.token_hash) else None

    def authenticate_user(self, credential):
        user = store.get_user(current_app, credential.user_id)
        # Grants made by issue_tokens_for_tests may have no sign-in user; authlib needs a truthy one.
        return user or store.User(0, "", "", "")

    def revoke_old_credential(self, credential):
        # Superseded tokens die after REFRESH_TOKEN_GRACE_SECONDS (default 0: at once).
        store.supersede_refresh_token(current_app, credential.token_hash)


def build_server(app) -> SandboxAuthorizationServer:
    server = SandboxAuthorizationServer()
    server.init_app(app, query_client=lambda cid: store.get_client(current_app, cid),
                    save_token=_save_token)
    server.register_token_generator("default", generate_token_strings)
    server.scopes_supported = SCOPES_SUPPORTED
    server.register_grant(CodeGrant)
    server.register_grant(RotatingRefreshGrant)
    return server
