"""Time settings (Sync Settings › Time): per service type, the QuickBooks item its time is
recorded against, billable or not, HasBeenBilled for visits already on an exported invoice, and an
optional hourly cost rate. A service type never saved uses the defaults: the item its invoice
lines go to, not billable (the visit is billed by its invoice), HasBeenBilled marking on.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from extensions import db
from models import LineKind, ServiceType
from models.sync_settings import slot_for
from models.time_export import TimeSetting
from services.mapping.invoice import Ref
from services.sync_settings import item_mappings
from services.time_export.mapping import TimeRule

COST_RATE_MAX = Decimal("10000")


@dataclass
class TimeRow:
    """One service type's row on the page: saved, or the defaults."""
    service_type: ServiceType
    item_id: str
    item_name: str
    billable: bool
    mark_billed: bool
    cost_rate: str
    saved: bool


def time_rows(realm_id: str) -> list[TimeRow]:
    saved = {row.service_type_id: row for row in db.session.scalars(
        select(TimeSetting).where(TimeSetting.realm_id == realm_id))}
    items = item_mappings(realm_id)
    rows = []
    for service in db.session.scalars(select(ServiceType).order_by(ServiceType.name)):
        row = saved.get(service.id)
        if row is not None:
            rows.append(TimeRow(service, row.qbo_item_id or "", row.qbo_item_name, row.billable,
                                row.mark_billed, "" if row.cost_rate is None else f"{row.cost_rate:.2f}", True))
            continue
        item = items.get(slot_for(LineKind.SERVICE, service.id)) or items.get(slot_for(LineKind.SERVICE))
        rows.append(TimeRow(service, item.qbo_item_id if item else "", item.qbo_item_name if item else "",
                            False, True, "", False))
    return rows


def time_rules(realm_id: str) -> dict[int, TimeRule]:
    """service type id → the rule the mapping applies (saved or default)."""
    return {row.service_type.id: TimeRule(
        item=Ref(row.item_id, row.item_name) if row.item_id else None, billable=row.billable,
        mark_billed=row.mark_billed, cost_rate=Decimal(row.cost_rate) if row.cost_rate else None)
        for row in time_rows(realm_id)}


@dataclass(frozen=True)
class TimeChoice:
    """What the form says for one service type."""
    service_type_id: int
    item_id: str
    billable: bool
    mark_billed: bool
    cost_rate: str


def parse_cost_rate(text: str) -> Decimal | None:
    """"" → None; "$18.50" → 18.50; anything else raises ValueError with the reason."""
    cleaned = (text or "").strip().replace("$", "").replace(",", "")
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("Enter the cost rate as an amount, like 18.50, or leave it empty.") from None
    if not value.is_finite() or value < 0 or value >= COST_RATE_MAX or value != value.quantize(Decimal("0.01")):
        raise ValueError("The cost rate must be an amount from 0 to 9,999.99 with at most 2 decimals.")
    return value


def save_time_settings(realm_id: str, choices: list[TimeChoice], catalog) -> dict[int, str]:
    """Check every row, then save all of them, or nothing: returns {service type id: error}."""
    errors: dict[int, str] = {}
    parsed = {}
    for choice in choices:
        if db.session.get(ServiceType, choice.service_type_id) is None:
            continue
        item = catalog.item(choice.item_id) if choice.item_id else None
        if choice.item_id and (item is None or not catalog.is_selectable(choice.item_id)):
            errors[choice.service_type_id] = "Choose an active item from the list."
            continue
        try:
            parsed[choice.service_type_id] = (choice, item, parse_cost_rate(choice.cost_rate))
        except ValueError as error:
            errors[choice.service_type_id] = str(error)
    if errors:
        return errors
    saved = {row.service_type_id: row for row in db.session.scalars(
        select(TimeSetting).where(TimeSetting.realm_id == realm_id))}
    for service_type_id, (choice, item, cost_rate) in parsed.items():
        row = saved.get(service_type_id) or TimeSetting(realm_id=realm_id, service_type_id=service_type_id)
        row.qbo_item_id = choice.item_id or None
        row.qbo_item_name = (item or {}).get("FullyQualifiedName") or (item or {}).get("Name") or ""
        row.billable, row.mark_billed, row.cost_rate = choice.billable, choice.mark_billed, cost_rate
        db.session.add(row)
    db.session.commit()
    return {}
