"""What of a QuickBooks invoice counts as its content, to tell "someone changed it in QuickBooks"
from "someone only touched it" (printed, e-mailed, a memo: the SyncToken moves, the content does
not). PURE.

The content is the customer, the date, every sales line (item, quantity, rate, amount, service
date, description) and the total. Numbers are compared as decimals (QuickBooks answers 3.5 for
the 3.50 we sent).
"""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation


def _number(value) -> str:
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except (InvalidOperation, ValueError):
        return str(value)


def content(doc: dict) -> dict:
    """The parts of a QuickBooks Invoice a person would call its content."""
    lines = []
    for line in doc.get("Line") or []:
        if line.get("DetailType") != "SalesItemLineDetail":
            continue
        detail = line.get("SalesItemLineDetail") or {}
        lines.append({
            "item": str((detail.get("ItemRef") or {}).get("value", "")),
            "item_name": (detail.get("ItemRef") or {}).get("name", ""),
            "qty": _number(detail.get("Qty", "")),
            "rate": _number(detail.get("UnitPrice", "")),
            "amount": _number(line.get("Amount", "")),
            "date": str(detail.get("ServiceDate", "")),
            "description": str(line.get("Description", "")),
        })
    return {"customer": str((doc.get("CustomerRef") or {}).get("value", "")),
            "customer_name": (doc.get("CustomerRef") or {}).get("name", ""),
            "date": str(doc.get("TxnDate", "")), "total": _number(doc.get("TotalAmt", "")),
            "lines": lines}


def digest(doc: dict) -> str:
    """A stable fingerprint of `content(doc)` (names left out: a renamed item is no change)."""
    found = content(doc)
    found.pop("customer_name")
    for line in found["lines"]:
        line.pop("item_name")
    text = json.dumps(found, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def summary(doc: dict) -> dict:
    """Both sides of a conflict as a person compares them (for the invoice page)."""
    found = content(doc)
    return {"total": found["total"], "customer": found["customer_name"] or found["customer"],
            "date": found["date"], "sync_token": str(doc.get("SyncToken", "")),
            "lines": [f"{l['item_name'] or l['item']}: {l['qty']} × {l['rate']} = {l['amount']}"
                      f"{(' · ' + l['description']) if l['description'] else ''}" for l in found["lines"]]}
