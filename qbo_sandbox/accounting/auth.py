"""Bearer tokens on the Accounting API, checked through the OAuth half's `resolve_bearer`.

Produces the gateway's own envelopes: 401 (lower-case keys, WWW-Authenticate) and 403 (3100).
"""
from __future__ import annotations

from dataclasses import dataclass

from qbo_sandbox import oauth
from qbo_sandbox.accounting import faults

WWW_AUTHENTICATE = 'Bearer realm="Intuit", error="invalid_token"'


@dataclass
class AuthOutcome:
    ok: bool
    client_id: str | None = None
    status: int = 200
    body: dict | None = None


def check(app, authorization: str | None, realm_id: str) -> AuthOutcome:
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return AuthOutcome(False, status=401, body=faults.authentication_failed(
            "Authorization header is missing or is not a bearer token"))  # UNCONFIRMED wording
    result = oauth.resolve_bearer(app, token)
    if not result.ok:
        detail = {
            "malformed": "Malformed bearer token: too short or too long",
            "expired": "Token expired",  # real QBO echoes a token prefix; we never render tokens
        }.get(result.problem, "Token invalid")
        return AuthOutcome(False, status=401, body=faults.authentication_failed(detail))
    if str(result.realm_id) != str(realm_id):
        return AuthOutcome(False, client_id=result.client_id, status=403,
                           body=faults.authorization_failed())
    return AuthOutcome(True, client_id=result.client_id)
