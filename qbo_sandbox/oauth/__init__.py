"""The sandbox's OAuth 2.0 / OpenID server, faithful to Intuit's (see PROTOCOL.md §1).

Public API for the rest of the sandbox (the Accounting API half codes against it):
`init_app`, `resolve_bearer`, `register_client`, `register_user`, `issue_tokens_for_tests`.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from qbo_sandbox.db import Base
from qbo_sandbox.oauth import keys, models, signin, store, tokens  # noqa: F401  (models: tables on Base)
from qbo_sandbox.oauth.server import (build_server, complete_token_response,
                                      generate_token_strings, issuer_url)

CONFIG_DEFAULTS = {
    "AUTH_CODE_LIFETIME": 300,
    "ACCESS_TOKEN_LIFETIME": 3600,
    "REFRESH_TOKEN_LIFETIME": 8726400,  # 101 days, rolling (Intuit's current value)
    "REFRESH_TOKEN_HARD_LIFETIME": 5 * 365 * 86400,  # Intuit's 5-year ceiling since 2025
    # How long a rotated-out refresh token keeps working. Intuit's real grace is unconfirmed;
    # 0 (dies at once) is the strictest choice, so clients that keep stale tokens fail in tests.
    "REFRESH_TOKEN_GRACE_SECONDS": 0,
    "SIGNIN_MAX_FAILURES": 5,  # per e-mail (x4 per client address) in the window below
    "SIGNIN_WINDOW_SECONDS": 900,
}


@dataclass(frozen=True)
class BearerResult:
    ok: bool
    realm_id: str | None = None  # None when the grant has no accounting/payment scope
    client_id: str | None = None
    problem: str | None = None  # None | "malformed" | "expired" | "invalid"
    scope: str = ""
    user_id: int | None = None


def init_app(app) -> None:
    """Register the OAuth endpoints on the sandbox app and create their tables."""
    for key, value in CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)  # sign-ins then last one process
    # Mounted inside CareLedger on the same host, Flask's default "session" cookie would
    # collide with the main app's; give the sandbox's sign-in cookie its own name.
    if app.config.get("SESSION_COOKIE_NAME", "session") == "session":
        app.config["SESSION_COOKIE_NAME"] = "qbo_sandbox_session"
    Base.metadata.create_all(app.extensions["qbo_sandbox.engine"])
    keys.init_signing_key(app)
    app.extensions["qbo_sandbox.oauth.server"] = build_server(app)
    app.extensions["qbo_sandbox.signin_throttle"] = signin.SignInThrottle()
    from qbo_sandbox.oauth.views import bp

    app.register_blueprint(bp)


def resolve_bearer(app, token: str) -> BearerResult:
    """What an `Authorization: Bearer <token>` value is worth to the Accounting API."""
    if not token or not tokens.is_plausible(token):
        return BearerResult(False, problem="malformed")
    info = store.look_up_access_token(app, token)
    if info.problem == "invalid":
        return BearerResult(False, problem="invalid")
    return BearerResult(info.problem is None, info.realm_id, info.client_id, info.problem,
                        info.scope, info.user_id)


def register_client(app, client_id, client_secret, redirect_uris=None, name="CareLedger") -> None:
    """Create or update a client. redirect_uris=None accepts any http(s) URI on localhost,
    127.0.0.1 or ::1 (handy for local evaluation); a list means exact matches only."""
    store.register_client(app, client_id, client_secret, redirect_uris, name)


def register_user(app, email, password, realm_id, **profile) -> None:
    """Create or update a sign-in user of company `realm_id` (which must exist).
    Optional profile: given_name, family_name, phone_number (served by userinfo)."""
    store.register_user(app, email, password, realm_id, **profile)


def issue_tokens_for_tests(app, client_id, realm_id, scope="com.intuit.quickbooks.accounting",
                           include_hard_expiry=False) -> dict:
    """Skip the browser dance: a token response exactly as the token endpoint would return it."""
    if store.get_client(app, client_id) is None:
        raise ValueError(f"unknown client_id {client_id!r}; register_client first")
    if not store.realm_exists(app, realm_id):
        raise ValueError(f"no sandbox company with realm_id {realm_id!r}")
    user = store.first_user_of_realm(app, realm_id)
    grant_id = store.create_grant(app, client_id, user.id if user else None, realm_id, scope,
                                  time.time())
    token = generate_token_strings("authorization_code", None)
    issuer = None
    if "openid" in scope.split():
        with app.test_request_context("/"):  # outside a request: issuer on http://localhost
            issuer = issuer_url()
    return complete_token_response(app, token, grant_id, include_hard=include_hard_expiry,
                                   issuer=issuer)
