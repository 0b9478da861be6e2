from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models._types import value_enum
from models.agency import Office


class Client(db.Model):
    """A person who receives care. Private-pay invoices are billed to the client."""

    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)  # the agency's client number
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100))
    suffix: Mapped[str] = mapped_column(String(16), default="")
    preferred_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    address_line2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(30), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(default=True, index=True)

    office: Mapped[Office] = relationship()

    @property
    def full_name(self) -> str:
        parts = [self.first_name, self.middle_name, self.last_name]
        name = " ".join(p for p in parts if p)
        return f"{name} {self.suffix}".strip() if self.suffix else name

    @property
    def sort_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    def __repr__(self) -> str:
        return f"<Client {self.code} {self.full_name}>"


# The lists' order among active (or inactive) clients (Clients, Client Matching): walking this
# index, a page of 50 out of thousands reads its 50 rows instead of sorting every client per view.
Index("ix_clients_sort_name", Client.active, func.lower(Client.last_name), func.lower(Client.first_name),
      Client.id)


class PayerKind(str, enum.Enum):
    LTC_INSURANCE = "ltc_insurance"
    VA = "va"
    MEDICAID_WAIVER = "medicaid_waiver"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "ltc_insurance": "Long-term-care insurer",
            "va": "Veterans Affairs",
            "medicaid_waiver": "Medicaid waiver",
            "other": "Other third party",
        }[self.value]


class Payer(db.Model):
    """A third-party payer. An invoice without a payer is private pay: the client pays."""

    __tablename__ = "payers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[PayerKind] = mapped_column(
        value_enum(PayerKind, 30)
    )
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    address_line1: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(30), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    active: Mapped[bool] = mapped_column(default=True)


class ServiceType(db.Model):
    __tablename__ = "service_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
