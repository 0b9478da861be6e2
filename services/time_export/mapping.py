"""From one visit (a service line with a caregiver) to the QuickBooks TimeActivity JSON. Pure:
the caller passes the refs, the visit's time setting and whether its invoice is in QuickBooks.

The duration goes as Hours/Minutes from the visit's billed hours, not StartTime/EndTime: the
hours are what was billed and paid, and they carry no time zone to get wrong; the shift still
reads in the Description (the invoice lines' description template). The Description ends with
the visit's marker, by which a visit whose send had no clear answer is found again.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from services.mapping.invoice import MAX_DESCRIPTION, SEPARATOR, Ref, visit_description


@dataclass(frozen=True)
class WorkerRef:
    entity: str        # Employee | Vendor (the TimeActivity's NameOf)
    qbo_id: str
    name: str = ""


@dataclass(frozen=True)
class TimeRule:
    """A service type's time setting, as the mapping needs it."""
    item: Ref | None = None
    billable: bool = False
    mark_billed: bool = True
    cost_rate: Decimal | None = None


def visit_marker(line_id: int) -> str:
    return f"[CareLedger visit {line_id}]"


def hours_and_minutes(quantity) -> tuple[int, int]:
    minutes = int((Decimal(quantity) * 60).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return divmod(minutes, 60)


def billable_status(rule: TimeRule, invoice_in_quickbooks: bool) -> str:
    if not rule.billable:
        return "NotBillable"
    return "HasBeenBilled" if rule.mark_billed and invoice_in_quickbooks else "Billable"


def time_activity_body(line, worker: WorkerRef, customer: Ref, rule: TimeRule,
                       invoice_in_quickbooks: bool, fields: list[str]) -> dict:
    hours, minutes = hours_and_minutes(line.quantity)
    status = billable_status(rule, invoice_in_quickbooks)
    marker = visit_marker(line.id)
    text = visit_description(line, fields)
    text = text[:MAX_DESCRIPTION - len(marker) - len(SEPARATOR)]
    body = {"TxnDate": line.service_date.isoformat(), "NameOf": worker.entity,
            f"{worker.entity}Ref": {"value": worker.qbo_id, "name": worker.name},
            "CustomerRef": {"value": customer.value, "name": customer.name},
            "Hours": hours, "Minutes": minutes, "BillableStatus": status,
            "Description": f"{text}{SEPARATOR}{marker}" if text else marker}
    if rule.item is not None:
        body["ItemRef"] = {"value": rule.item.value, "name": rule.item.name}
    if status != "NotBillable":
        body["HourlyRate"] = float(Decimal(line.rate))
    if rule.cost_rate is not None:
        body["CostRate"] = float(rule.cost_rate)
    return body


def worker_key_of(body: dict) -> str:
    entity = body["NameOf"]
    return f"{entity}:{body[f'{entity}Ref']['value']}"
