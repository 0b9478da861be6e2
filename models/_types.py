"""Column types and helpers shared by the models."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import DateTime, Enum, Numeric
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")

Money = Numeric(12, 2, asdecimal=True)
Quantity = Numeric(10, 2, asdecimal=True)
Rate = Numeric(12, 4, asdecimal=True)


def to_cents(value: Decimal) -> Decimal:
    """Round half-up to cents, the way QBO rounds amounts."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given for a UTC column")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def value_enum(enum_class, length: int = 20) -> Enum:
    """A Python enum stored as its string value in a VARCHAR (portable across SQLite and
    PostgreSQL, and new members need no ALTER TYPE)."""
    return Enum(enum_class, native_enum=False, length=length,
                values_callable=lambda members: [m.value for m in members])
