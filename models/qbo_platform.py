"""What CareLedger keeps about Intuit's 2025-26 platform rules, per QuickBooks company (realm):
its own CorePlus read count per month (the read budget), the company's tax facts (a cache), and
the tax code its lines carry outside the US (a person's choice, kept until they change it)."""
from __future__ import annotations

from datetime import datetime

import json

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models._types import UTCDateTime, utcnow


class QboReadUsage(db.Model):
    """CorePlus calls (reads) and Core calls (writes) CareLedger made to one company in one
    calendar month (UTC), counted by every process together with atomic increments."""

    __tablename__ = "qbo_read_usage"

    realm_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)   # "YYYY-MM"
    reads: Mapped[int] = mapped_column(Integer, default=0)
    writes: Mapped[int] = mapped_column(Integer, default=0)
    # Set when QuickBooks answered "monthly limit reached": reads stop until the month turns.
    cap_reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class QboTaxSetting(db.Model):
    """The TaxCode every exported line carries in a company outside the US (zero-rated or
    exempt), chosen on Sync Settings. US companies need none."""

    __tablename__ = "qbo_tax_settings"

    realm_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    line_tax_code_id: Mapped[str | None] = mapped_column(String(32))
    line_tax_code_name: Mapped[str] = mapped_column(String(100), default="")
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)


class QboTaxProfile(db.Model):
    """The company's sales-tax facts as last read from QuickBooks (services/qbo_tax/profile.py),
    as JSON, so an export reads them once rather than per invoice or per group."""

    __tablename__ = "qbo_tax_profiles"

    realm_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload: Mapped[str] = mapped_column(Text, default="{}")
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def data(self) -> dict:
        return json.loads(self.payload)
