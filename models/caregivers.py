"""Caregivers: the agency's people who make the visits, W-2 employees or 1099 contractors."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models._types import value_enum
from models.agency import Office


class WorkerKind(str, enum.Enum):
    """How the agency pays the caregiver; decides Employee or Vendor in QuickBooks."""

    EMPLOYEE = "employee"
    CONTRACTOR = "contractor"

    @property
    def label(self) -> str:
        return {"employee": "W-2 employee", "contractor": "1099 contractor"}[self.value]


class Caregiver(db.Model):
    __tablename__ = "caregivers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)  # the agency's caregiver number
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)  # home office
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    kind: Mapped[WorkerKind] = mapped_column(value_enum(WorkerKind), default=WorkerKind.EMPLOYEE)
    active: Mapped[bool] = mapped_column(default=True, index=True)

    office: Mapped[Office] = relationship()

    @property
    def name(self) -> str:
        """"First Last", the way invoice lines name the caregiver."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def list_name(self) -> str:
        return f"{self.last_name}, {self.first_name}" if self.first_name else self.last_name

    # The names the matching tables print for a row (shared with clients, who also have suffixes).
    suffix = ""

    @property
    def sort_name(self) -> str:
        return self.list_name

    @property
    def full_name(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Caregiver {self.code} {self.name}>"
