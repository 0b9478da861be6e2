from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, Enum, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db
from models._types import UTCDateTime, utcnow
from models.agency import Office


class Role(str, enum.Enum):
    OWNER = "owner"
    ADMIN = "admin"
    AGENCY_USER = "agency_user"

    @property
    def label(self) -> str:
        return {"owner": "Owner", "admin": "Admin", "agency_user": "Agency User"}[self.value]


user_offices = Table(
    "user_offices",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("office_id", ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20,
                                            values_callable=lambda e: [m.value for m in e]))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Every session cookie names the generation it began in; bumping it (sign-out, password
    # change, deactivation, reactivation) makes every earlier cookie of this account worthless.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    offices: Mapped[list[Office]] = relationship(secondary=user_offices, order_by="Office.name")

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive accounts
        return self.is_active_account

    def get_id(self) -> str:
        """What the session cookie remembers: the id, the session generation, and a fingerprint of
        the password hash (so even a password set outside services/agency/users.py ends old sessions)."""
        return f"{self.id}:{self.session_generation}:{self._password_fingerprint()}"

    @classmethod
    def from_session_id(cls, session_id: str) -> User | None:
        """The signed-in user for a session, or None when the account was deactivated, signed out,
        reactivated or had its password changed since the session began."""
        user_id, generation, fingerprint = (session_id.split(":") + ["", ""])[:3]
        if not (user_id.isdigit() and generation.isdigit()) or len(user_id) > 18:
            return None
        user = db.session.get(cls, int(user_id))
        if user is None or not user.is_active or int(generation) != user.session_generation \
                or fingerprint != user._password_fingerprint():
            return None
        return user

    def end_sessions(self) -> None:
        """Sign this account out everywhere: every cookie issued so far stops working."""
        self.session_generation = (self.session_generation or 0) + 1

    def _password_fingerprint(self) -> str:
        import hashlib

        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        if self.id is not None:
            self.end_sessions()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def sees_all_offices(self) -> bool:
        return self.role in (Role.OWNER, Role.ADMIN)

    def can_see_office(self, office_id: int | None) -> bool:
        return self.sees_all_offices or any(o.id == office_id for o in self.offices)


class LoginAttempt(db.Model):
    """One login attempt; recent failures per e-mail and per address drive the throttle."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_ip_at", "ip_address", "at"),
        Index("ix_login_attempts_at", "at"),  # pruning old attempts
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
