"""The QuickBooks Online connection and the short-lived OAuth `state` records.

Tokens are stored only encrypted (services/qbo_connection/crypto.py); the key never lives in the database.
The connection row is a singleton (id 1): one agency, one QuickBooks company at a time.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models._types import UTCDateTime, utcnow
from models.users import User

CONNECTION_ID = 1


class ConnectionStatus(str, enum.Enum):
    NOT_CONNECTED = "not_connected"          # never connected
    CONNECTED = "connected"
    RECONNECT_REQUIRED = "reconnect_required"  # refresh token dead; realm and settings kept
    DISCONNECTED = "disconnected"            # a person disconnected; realm kept for reconnecting

    @property
    def label(self) -> str:
        return {
            "not_connected": "Not connected",
            "connected": "Connected",
            "reconnect_required": "Reconnect needed",
            "disconnected": "Disconnected",
        }[self.value]


class QboConnection(db.Model):
    __tablename__ = "qbo_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[ConnectionStatus] = mapped_column(
        Enum(ConnectionStatus, native_enum=False, length=24,
             values_callable=lambda e: [m.value for m in e]),
        default=ConnectionStatus.NOT_CONNECTED)
    environment: Mapped[str] = mapped_column(String(20), default="local")
    realm_id: Mapped[str | None] = mapped_column(String(32))
    company_name: Mapped[str] = mapped_column(String(255), default="")
    # The company connected before a switch: its matches and settings may still be in the tables.
    previous_realm_id: Mapped[str | None] = mapped_column(String(32))
    previous_company_name: Mapped[str] = mapped_column(String(255), default="")

    # Fernet tokens (ciphertext); NULL when there is nothing usable.
    access_token_enc: Mapped[str | None] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    access_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_hard_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped on every token change: refreshes compare-and-swap on it, so a concurrent refresher
    # notices the winner and re-reads its tokens instead of reusing a superseded refresh token.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    refresh_lease_owner: Mapped[str | None] = mapped_column(String(40))
    refresh_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    connected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    disconnected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    connected_by: Mapped[User | None] = relationship()


class QboOAuthState(db.Model):
    """One authorization attempt. Only a hash of `state` is stored; the raw value lives in the
    signed session of the browser that started it, and `used_at` makes it single-use."""

    __tablename__ = "qbo_oauth_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(10), default="page")  # "popup" or "page"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the callback brought a different company: the new tokens wait here (encrypted)
    # until the person confirms the switch.
    pending_realm_id: Mapped[str | None] = mapped_column(String(32))
    pending_company_name: Mapped[str] = mapped_column(String(255), default="")
    pending_tokens_enc: Mapped[str | None] = mapped_column(Text)
