"""Intuit's OAuth 2.0 endpoints through authlib's httpx integration (running on httpx2): authorize URL, code exchange,
refresh, revoke. Stateless: the caller stores the tokens (services/qbo_connection/tokens.py).

Endpoints come from the discovery document, so the local sandbox, Intuit's sandbox and
production differ only in configuration.
"""
from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import httpx2
from authlib.integrations.base_client.errors import OAuthError as AuthlibOAuthError
from authlib.integrations.httpx_client import OAuth2Client

from qbo import http as qbo_http
from qbo.errors import (OAuthError, QboError, ReconnectRequiredOAuth, TransientError,
                        oauth_error_from_response)
from qbo.settings import QboSettings

# Ask for the 5-year hard expiry too (Intuit, 2025; PROTOCOL §1).
HARD_EXPIRY_HEADER = {"x-include-refresh-token-hard-expires-in": "true"}
DISCOVERY_TTL = 3600.0


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_expires_at: datetime
    refresh_expires_at: datetime | None
    refresh_hard_expires_at: datetime | None = None
    id_token: str | None = field(default=None, repr=False)  # with the openid scope; never stored

    @classmethod
    def from_response(cls, token: dict, now: datetime | None = None) -> "TokenSet":
        now = now or datetime.now(timezone.utc)

        def after(key):
            value = token.get(key)
            return now + timedelta(seconds=int(value)) if value not in (None, "") else None

        if not token.get("access_token") or not token.get("refresh_token"):
            raise OAuthError("invalid_response", "the token endpoint sent no access/refresh token")
        return cls(
            access_token=str(token["access_token"]),
            refresh_token=str(token["refresh_token"]),
            access_expires_at=after("expires_in") or now + timedelta(hours=1),
            refresh_expires_at=after("x_refresh_token_expires_in"),
            refresh_hard_expires_at=after("x_refresh_token_hard_expires_in"),
            id_token=str(token["id_token"]) if token.get("id_token") else None,
        )


_discovery_cache: dict[str, tuple[float, dict]] = {}
_discovery_lock = threading.Lock()


def _transport_error(error: httpx2.TransportError, what: str) -> TransientError:
    # A refused connection never reached the server; anything later may have.
    ambiguous = not isinstance(error, (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout))
    return TransientError(f"{what}: {type(error).__name__}", ambiguous=ambiguous)


class OAuthFlow:
    def __init__(self, settings: QboSettings, http: httpx2.Client,
                 transport: httpx2.BaseTransport | None = None):
        self.settings = settings
        self.http = http                # shared client for discovery and revocation
        self.transport = transport      # lent to authlib's short-lived clients

    # --- discovery ---------------------------------------------------------------------------
    def metadata(self) -> dict:
        url = self.settings.discovery_url
        with _discovery_lock:
            cached = _discovery_cache.get(url)
            if cached and cached[0] > time.monotonic():
                return cached[1]
        try:
            response = self.http.get(url)
        except httpx2.TransportError as error:
            raise _transport_error(error, "Could not reach the QuickBooks discovery document") from None
        if response.status_code != 200:
            raise TransientError(f"Discovery document answered HTTP {response.status_code}",
                                 status=response.status_code, ambiguous=False)
        try:
            document = response.json()
            for key in ("authorization_endpoint", "token_endpoint", "revocation_endpoint"):
                document[key]
        except (ValueError, KeyError, TypeError):
            raise QboError("The discovery document is not valid OpenID configuration") from None
        with _discovery_lock:
            _discovery_cache[url] = (time.monotonic() + DISCOVERY_TTL, document)
        return document

    def _client(self) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.settings.client_id,
            client_secret=self.settings.client_secret,
            token_endpoint_auth_method="client_secret_basic",
            redirect_uri=self.settings.redirect_uri,
            scope=" ".join(self.settings.scopes),
            transport=qbo_http.lend(self.transport),
            timeout=qbo_http.timeouts(self.settings.connect_timeout, self.settings.read_timeout),
            trust_env=False,
        )

    # --- the three grant steps ---------------------------------------------------------------
    def authorization_url(self, state: str) -> str:
        with self._client() as client:
            url, _ = client.create_authorization_url(self.metadata()["authorization_endpoint"],
                                                     state=state)
        return url

    def exchange_code(self, code: str) -> TokenSet:
        return self._token_call("Code exchange", lambda client, url: client.fetch_token(
            url, grant_type="authorization_code", code=code, headers=dict(HARD_EXPIRY_HEADER)))

    def refresh(self, refresh_token: str) -> TokenSet:
        return self._token_call("Token refresh", lambda client, url: client.refresh_token(
            url, refresh_token=refresh_token, headers=dict(HARD_EXPIRY_HEADER)))

    def _token_call(self, what: str, call) -> TokenSet:
        url = self.metadata()["token_endpoint"]
        with self._client() as client:
            try:
                token = call(client, url)
            except AuthlibOAuthError as error:
                if error.error == "invalid_grant":
                    raise ReconnectRequiredOAuth(error.error, error.description or "") from None
                raise OAuthError(error.error, error.description or "") from None
            except httpx2.TransportError as error:
                raise _transport_error(error, f"{what} failed") from None
            except ValueError:  # a body that is not JSON, e.g. a 502 page
                raise TransientError(f"{what}: the token endpoint answered something that is not JSON",
                                     ambiguous=True) from None
        return TokenSet.from_response(dict(token))

    def revoke(self, token: str) -> None:
        """Intuit's revoke takes JSON `{"token": …}` with Basic client auth (PROTOCOL §1);
        authlib's RFC 7009 helper posts a form, so this one call is made by hand."""
        url = self.metadata()["revocation_endpoint"]
        basic = base64.b64encode(
            f"{self.settings.client_id}:{self.settings.client_secret}".encode()).decode()
        try:
            response = self.http.post(url, content=json.dumps({"token": token}), headers={
                "Authorization": f"Basic {basic}", "Content-Type": "application/json",
                "Accept": "application/json"})
        except httpx2.TransportError as error:
            raise _transport_error(error, "Revocation failed") from None
        if response.status_code != 200:
            raise oauth_error_from_response(response.status_code, response.content)


def clear_discovery_cache() -> None:
    with _discovery_lock:
        _discovery_cache.clear()
