"""Tables of the sandbox's OAuth server, declared on the sandbox's own `Base`.

Times are UTC epoch seconds (floats): SQLite keeps no time zone, epoch seconds cannot be misread.
Codes and tokens are stored only as sha256 hex digests, so a copied database yields no working
credential; client secrets are stored the same way (they are high-entropy strings).
"""
from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qbo_sandbox.db import Base


class OAuthClient(Base):
    """An app registered with the sandbox (Intuit's "Keys" tab: client id, secret, redirect URIs)."""

    __tablename__ = "oauth_client"

    client_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    # JSON list of exact redirect URIs; NULL accepts any http(s) loopback URI (local evaluation).
    redirect_uris: Mapped[str | None] = mapped_column(Text, nullable=True)
    name: Mapped[str] = mapped_column(String(255), default="CareLedger")


class SandboxUser(Base):
    """A person who signs in on the authorization page; belongs to one company (realm)."""

    __tablename__ = "oauth_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sub: Mapped[str] = mapped_column(String(36), unique=True)  # OpenID subject (a UUID, as Intuit's)
    email: Mapped[str] = mapped_column(String(255), unique=True)  # stored lower-case
    password_hash: Mapped[str] = mapped_column(String(255))
    realm_id: Mapped[str] = mapped_column(ForeignKey("company.realm_id"))
    given_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    family_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    phone_number: Mapped[str | None] = mapped_column(String(40), nullable=True)


class OAuthGrant(Base):
    """One consent of a user to a client: the root of a chain of rotating tokens.

    Revoking the grant (revocation endpoint, or a replayed code) kills every token in it.
    `hard_expires_at` is fixed at first issue: Intuit's 5-year ceiling on refresh tokens.
    """

    __tablename__ = "oauth_grant"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("oauth_client.client_id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("oauth_user.id"), nullable=True)
    # NULL when no accounting/payment scope was granted: such tokens reach no company.
    realm_id: Mapped[str | None] = mapped_column(ForeignKey("company.realm_id"), nullable=True)
    scope: Mapped[str] = mapped_column(Text)
    auth_time: Mapped[float] = mapped_column(Float)
    created_at: Mapped[float] = mapped_column(Float)
    hard_expires_at: Mapped[float] = mapped_column(Float)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class OAuthCode(Base):
    """An authorization code: single use, short-lived; kept after use to detect replays."""

    __tablename__ = "oauth_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("oauth_client.client_id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("oauth_user.id"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    auth_time: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    used_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("oauth_grant.id"), nullable=True)


class OAuthToken(Base):
    """An access or refresh token (kind), by hash."""

    __tablename__ = "oauth_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # "access" | "refresh"
    grant_id: Mapped[int] = mapped_column(ForeignKey("oauth_grant.id"), index=True)
    issued_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)
    # Refresh tokens only: set when a newer token replaced this one (rotation).
    superseded_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)
