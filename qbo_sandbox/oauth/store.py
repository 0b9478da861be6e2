"""Database operations of the OAuth server: clients, users, codes, grants and tokens.

Plain functions taking the sandbox Flask app (for config and the session factory); no `request`.
Lifetimes are read from app.config at each issue so tests can shorten them.
"""
from __future__ import annotations

import hmac
import ipaddress
import json
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from qbo_sandbox.db import Company, session_for
from qbo_sandbox.oauth import tokens
from qbo_sandbox.oauth.models import OAuthClient, OAuthCode, OAuthGrant, OAuthToken, SandboxUser

try:  # the sandbox clock (tests may shift it to expire tokens); plain UTC time without it
    from qbo_sandbox.clock import utcnow as _utcnow
except ImportError:  # pragma: no cover
    from datetime import datetime, timezone

    def _utcnow():
        return datetime.now(timezone.utc)


def _now() -> float:
    """UTC epoch seconds on the sandbox clock."""
    return _utcnow().timestamp()


COMPANY_SCOPES = {"com.intuit.quickbooks.accounting", "com.intuit.quickbooks.payment"}
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def wants_company(scope: str) -> bool:
    """Intuit binds a grant to a company (and returns realmId) only for these scopes."""
    return bool(COMPANY_SCOPES & set(scope.split()))


# --- value objects handed to authlib (detached from any DB session) -------------------------

@dataclass(frozen=True)
class Client:
    """authlib's ClientMixin contract, for a registered sandbox client."""

    client_id: str
    name: str
    secret_hash: str
    redirect_uris: tuple[str, ...] | None
    production: bool = False  # config ENVIRONMENT == "production": Intuit's redirect URI policy

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None  # Intuit requires redirect_uri on every authorization request

    def get_allowed_scope(self, scope):
        return scope or None  # no scope -> invalid_scope, as Intuit requires one

    def check_redirect_uri(self, redirect_uri):
        if self.production and production_uri_problem(redirect_uri):
            return False
        if self.redirect_uris is None:
            parts = urlsplit(redirect_uri)
            return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return hmac.compare_digest(tokens.digest(client_secret), self.secret_hash)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "refresh_token")


@dataclass(frozen=True)
class User:
    id: int
    sub: str
    email: str
    realm_id: str
    given_name: str | None = None
    family_name: str | None = None
    phone_number: str | None = None
    auth_time: float = 0.0  # when this user signed in (for id_token auth_time)


@dataclass(frozen=True)
class Code:
    """authlib's AuthorizationCodeMixin contract."""

    code_hash: str
    client_id: str
    user_id: int
    redirect_uri: str
    scope: str
    auth_time: float

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_auth_time(self):
        return self.auth_time


@dataclass(frozen=True)
class RefreshCredential:
    """authlib's TokenMixin subset used by the refresh_token grant."""

    token_hash: str
    grant_id: int
    client_id: str
    user_id: int | None
    scope: str

    def check_client(self, client):
        return client.client_id == self.client_id

    def get_scope(self):
        return self.scope


def _user(row: SandboxUser, auth_time: float = 0.0) -> User:
    return User(row.id, row.sub, row.email, row.realm_id, row.given_name, row.family_name,
                row.phone_number, auth_time)


# --- registration ---------------------------------------------------------------------------

def production_uri_problem(uri: str) -> str | None:
    """Why Intuit would refuse `uri` as a production redirect URI (https, a host name that is
    neither an IP address nor localhost), or None."""
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https":
        return "must use https"
    if not host or host == "localhost" or host.endswith(".localhost"):
        return "must not be localhost"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    return "must be a host name, not an IP address"


def register_client(app, client_id, client_secret, redirect_uris=None, name="CareLedger") -> None:
    if app.config.get("ENVIRONMENT") == "production":
        if redirect_uris is None:
            raise ValueError("production clients need their exact redirect URIs")
        for uri in redirect_uris:
            problem = production_uri_problem(uri)
            if problem:
                raise ValueError(f"redirect URI {uri!r} {problem} in production")
    uris = None if redirect_uris is None else json.dumps(list(redirect_uris))
    with session_for(app) as s, s.begin():
        row = s.get(OAuthClient, client_id)
        if row is None:
            row = OAuthClient(client_id=client_id)
            s.add(row)
        row.secret_hash = tokens.digest(client_secret)
        row.redirect_uris = uris
        row.name = name


def get_client(app, client_id) -> Client | None:
    if not client_id:
        return None
    with session_for(app) as s:
        row = s.get(OAuthClient, client_id)
        if row is None:
            return None
        uris = None if row.redirect_uris is None else tuple(json.loads(row.redirect_uris))
        return Client(row.client_id, row.name, row.secret_hash, uris,
                      app.config.get("ENVIRONMENT") == "production")


def register_user(app, email, password, realm_id, *, given_name=None, family_name=None,
                  phone_number=None) -> None:
    email = email.strip().lower()
    with session_for(app) as s, s.begin():
        if s.get(Company, realm_id) is None:
            raise ValueError(f"no sandbox company with realm_id {realm_id!r}; create it first")
        row = s.scalar(select(SandboxUser).where(SandboxUser.email == email))
        if row is None:
            row = SandboxUser(email=email, sub=str(uuid.uuid4()))
            s.add(row)
        row.password_hash = generate_password_hash(password)
        row.realm_id = realm_id
        row.given_name = given_name if given_name is not None else row.given_name
        row.family_name = family_name if family_name is not None else row.family_name
        row.phone_number = phone_number if phone_number is not None else row.phone_number


# Checked when the e-mail is unknown, so that an unknown address costs as much as a wrong password
# (the answer's timing does not tell which e-mails have accounts).
_NO_SUCH_USER_HASH = generate_password_hash(uuid.uuid4().hex)


def check_user_password(app, email, password) -> User | None:
    with session_for(app) as s:
        row = s.scalar(select(SandboxUser).where(SandboxUser.email == (email or "").strip().lower()))
        stored = row.password_hash if row is not None else _NO_SUCH_USER_HASH
        if not check_password_hash(stored, password or "") or row is None:
            return None
        return _user(row, _now())


def get_user(app, user_id, auth_time: float = 0.0) -> User | None:
    if user_id is None:
        return None
    with session_for(app) as s:
        row = s.get(SandboxUser, user_id)
        return None if row is None else _user(row, auth_time)


def company_name(app, realm_id) -> str | None:
    with session_for(app) as s:
        row = s.get(Company, realm_id)
        return None if row is None else row.name


# --- authorization codes --------------------------------------------------------------------

def save_code(app, code: str, client_id: str, user: User, redirect_uri: str, scope: str) -> None:
    now = _now()
    with session_for(app) as s, s.begin():
        s.add(OAuthCode(code_hash=tokens.digest(code), client_id=client_id, user_id=user.id,
                        redirect_uri=redirect_uri, scope=scope, auth_time=user.auth_time,
                        expires_at=now + app.config["AUTH_CODE_LIFETIME"]))


def redeem_code(app, code: str, client_id: str) -> Code | None:
    """Claim a code for one use. A replayed code revokes the grant it produced (RFC 6749 §4.1.2)."""
    now = _now()
    code_hash = tokens.digest(code)
    with session_for(app) as s, s.begin():
        row = s.get(OAuthCode, code_hash)
        if row is None or row.client_id != client_id:
            return None
        # Claim atomically: of two concurrent redemptions only one updates the row.
        claimed = s.execute(
            update(OAuthCode).where(OAuthCode.code_hash == code_hash, OAuthCode.used_at.is_(None))
            .values(used_at=now)
        ).rowcount
        if not claimed:
            if row.grant_id is not None:
                _revoke_grant(s, row.grant_id, now)
            return None
        if now >= row.expires_at:
            return None
        return Code(row.code_hash, row.client_id, row.user_id, row.redirect_uri, row.scope,
                    row.auth_time)


# --- grants and tokens ----------------------------------------------------------------------

def create_grant(app, client_id: str, user_id: int | None, realm_id: str | None, scope: str,
                 auth_time: float, code_hash: str | None = None) -> int:
    now = _now()
    with session_for(app) as s, s.begin():
        grant = OAuthGrant(client_id=client_id, user_id=user_id,
                           realm_id=realm_id if wants_company(scope) else None, scope=scope,
                           auth_time=auth_time, created_at=now,
                           hard_expires_at=now + app.config["REFRESH_TOKEN_HARD_LIFETIME"])
        s.add(grant)
        s.flush()
        if code_hash is not None:
            s.execute(update(OAuthCode).where(OAuthCode.code_hash == code_hash)
                      .values(grant_id=grant.id))
        return grant.id


@dataclass(frozen=True)
class IssuedPair:
    expires_in: int
    refresh_expires_in: int
    hard_expires_in: int
    grant: OAuthGrant


def store_token_pair(app, grant_id: int, access_token: str, refresh_token: str) -> IssuedPair:
    """Persist the hashes of a new pair; the refresh token's rolling expiry stops at the hard one."""
    now = _now()
    access_life = int(app.config["ACCESS_TOKEN_LIFETIME"])
    with session_for(app) as s, s.begin():
        grant = s.get(OAuthGrant, grant_id)
        refresh_until = min(now + int(app.config["REFRESH_TOKEN_LIFETIME"]), grant.hard_expires_at)
        s.add_all([
            OAuthToken(token_hash=tokens.digest(access_token), kind="access", grant_id=grant_id,
                       issued_at=now, expires_at=now + access_life),
            OAuthToken(token_hash=tokens.digest(refresh_token), kind="refresh", grant_id=grant_id,
                       issued_at=now, expires_at=refresh_until),
        ])
        s.expunge(grant)
    return IssuedPair(access_life, max(0, int(refresh_until - now)),
                      max(0, int(grant.hard_expires_at - now)), grant)


def find_refresh_token(app, refresh_token: str) -> RefreshCredential | None:
    """A usable refresh token, or None (unknown, expired, revoked, or superseded past grace)."""
    now = _now()
    grace = float(app.config["REFRESH_TOKEN_GRACE_SECONDS"])
    with session_for(app) as s:
        tok = s.get(OAuthToken, tokens.digest(refresh_token))
        if tok is None or tok.kind != "refresh" or tok.revoked_at is not None:
            return None
        grant = s.get(OAuthGrant, tok.grant_id)
        if grant.revoked_at is not None or now >= tok.expires_at or now >= grant.hard_expires_at:
            return None
        if tok.superseded_at is not None and now >= tok.superseded_at + grace:
            return None
        return RefreshCredential(tok.token_hash, grant.id, grant.client_id, grant.user_id,
                                 grant.scope)


def supersede_refresh_token(app, token_hash: str) -> bool:
    """Mark a refresh token as replaced. True only for the one caller that did it, which makes
    this the atomic claim two concurrent refreshes with the same token race for."""
    with session_for(app) as s, s.begin():
        result = s.execute(update(OAuthToken).where(OAuthToken.token_hash == token_hash,
                                                    OAuthToken.superseded_at.is_(None))
                           .values(superseded_at=_now()))
        return result.rowcount == 1


@dataclass(frozen=True)
class AccessInfo:
    problem: str | None  # None | "expired" | "invalid"
    realm_id: str | None = None
    client_id: str | None = None
    scope: str = ""
    user_id: int | None = None


def look_up_access_token(app, access_token: str) -> AccessInfo:
    now = _now()
    with session_for(app) as s:
        tok = s.get(OAuthToken, tokens.digest(access_token))
        if tok is None or tok.kind != "access" or tok.revoked_at is not None:
            return AccessInfo("invalid")
        grant = s.get(OAuthGrant, tok.grant_id)
        if grant.revoked_at is not None:
            return AccessInfo("invalid")
        if now >= tok.expires_at:
            return AccessInfo("expired", grant.realm_id, grant.client_id, grant.scope,
                              grant.user_id)
        return AccessInfo(None, grant.realm_id, grant.client_id, grant.scope, grant.user_id)


def revoke_token(app, token: str, client_id: str) -> bool:
    """Revoke the whole grant of an access or refresh token of this client.

    Intuit's revoke endpoint is its "disconnect": either token ends the app's access, so the
    sandbox revokes the grant for both kinds. Unknown tokens or other clients' tokens change
    nothing (RFC 7009 §2.2: respond 200 anyway).
    """
    now = _now()
    with session_for(app) as s, s.begin():
        tok = s.get(OAuthToken, tokens.digest(token))
        if tok is None:
            return False
        grant = s.get(OAuthGrant, tok.grant_id)
        if grant.client_id != client_id:
            return False
        _revoke_grant(s, grant.id, now)
        return True


def _revoke_grant(s, grant_id: int, now: float) -> None:
    s.execute(update(OAuthGrant).where(OAuthGrant.id == grant_id, OAuthGrant.revoked_at.is_(None))
              .values(revoked_at=now))
    s.execute(update(OAuthToken).where(OAuthToken.grant_id == grant_id,
                                       OAuthToken.revoked_at.is_(None)).values(revoked_at=now))


def first_user_of_realm(app, realm_id) -> User | None:
    with session_for(app) as s:
        row = s.scalar(select(SandboxUser).where(SandboxUser.realm_id == realm_id)
                       .order_by(SandboxUser.id))
        return None if row is None else _user(row, _now())


def realm_exists(app, realm_id) -> bool:
    with session_for(app) as s:
        return s.get(Company, realm_id) is not None
