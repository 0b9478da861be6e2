"""What the pages tell people about the connection's limits (issue 13): the refresh token's
5-year hard expiry coming up (a reconnect banner for Owners and Admins, 30 days ahead) and the
month's read budget. Plain functions; the templates call them lazily through a context
processor (blueprints/accounting/reconnect.py), so a page that shows neither queries nothing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from models.qbo import ConnectionStatus
from services.qbo_connection.read_budget import ReadBudget, budget_for
from services.qbo_connection.tokens import page_row

HARD_EXPIRY_WARNING = timedelta(days=30)


@dataclass(frozen=True)
class HardExpiryNotice:
    company_name: str
    expires_at: datetime
    days_left: int


def hard_expiry_notice(now: datetime | None = None) -> HardExpiryNotice | None:
    """A notice when the connection's hard expiry is within 30 days (None otherwise)."""
    now = now or datetime.now(timezone.utc)
    row = page_row()
    if row is None or row.status != ConnectionStatus.CONNECTED or row.refresh_hard_expires_at is None:
        return None
    left = row.refresh_hard_expires_at - now
    if left > HARD_EXPIRY_WARNING:
        return None
    return HardExpiryNotice(company_name=row.company_name or "", expires_at=row.refresh_hard_expires_at,
                            days_left=max(0, left.days))


def read_budget() -> ReadBudget | None:
    """This month's read budget of the company CareLedger works with (None if there is none)."""
    row = page_row()
    if row is None or not row.realm_id:
        return None
    return budget_for(row.realm_id)
