"""Which QuickBooks company a fresh grant belongs to, checked before CareLedger acts on it.

The callback's `realmId` is a query parameter anyone can edit on the way back. Two checks bind it
to the new tokens: the id_token's `realmid` claim (when the openid scope brought one) must equal
it, and a CompanyInfo read for that realm with the new access token must succeed. Only then is
anything switched or revoked. A refused grant is simply dropped, never revoked: at Intuit,
revoking it would disconnect the company the token really belongs to.
"""
from __future__ import annotations

import base64
import json

from flask import current_app

from qbo.client import QboClient, StaticTokens
from qbo.errors import AuthenticationError, NotFoundError, QboError
from qbo.oauth import TokenSet
from services.qbo_connection import runtime as qbo_runtime
from services.qbo_connection.messages import plain_error
from services.qbo_connection.read_budget import RealmMeter

MISMATCH = ("The company QuickBooks sent back does not match this sign-in, so CareLedger did not "
            "use it. Nothing was changed; press Connect again.")


class RealmNotVerified(Exception):
    """The message says, in plain words, why nothing was changed."""


def id_token_realm(id_token: str | None) -> str | None:
    """The `realmid` claim of an id_token received straight from the token endpoint (over TLS,
    with the client's secret), so its payload is read without a signature check (OIDC §3.1.3.7)."""
    if not id_token or id_token.count(".") != 2:
        return None
    payload = id_token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, TypeError):
        return None
    realm = claims.get("realmid") if isinstance(claims, dict) else None
    return str(realm) if realm else None


def verified_company_name(tokens: TokenSet, realm_id: str) -> str:
    """The company's name, read with the new token from `realm_id`; RealmNotVerified otherwise."""
    claimed = id_token_realm(tokens.id_token)
    if claimed is not None and claimed != realm_id:
        raise RealmNotVerified(MISMATCH)
    rt = qbo_runtime.runtime()
    pacer = rt.pacers.for_realm(realm_id)
    client = QboClient(rt.http, base_url=rt.settings.api_base_url, realm_id=realm_id,
                       tokens=StaticTokens(tokens.access_token),
                       minor_version=rt.settings.minor_version, retry=rt.retry,
                       admit=lambda method, path: pacer.acquire(),
                       meter=RealmMeter(current_app._get_current_object(), realm_id))
    try:
        info = client.company_info()
    except (AuthenticationError, NotFoundError):
        raise RealmNotVerified(MISMATCH) from None
    except QboError as exc:
        raise RealmNotVerified("CareLedger could not confirm the QuickBooks company: "
                               f"{plain_error(exc)} Nothing was changed; press Connect again.") from None
    return str(info.get("CompanyName") or info.get("LegalName") or "")
