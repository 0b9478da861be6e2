"""The QuickBooks total checked from the create/batch answer itself (Intuit calls reading a record
back right after creating it an anti-pattern, PROTOCOL §11): the invoice's TotalAmt must be the
agency total minus tax and its TotalTax 0. A difference means QuickBooks added tax — the
company's tax settings changed since they were cached — so the cache is dropped and the next
export reads them again."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from models._types import to_cents


def _money(value) -> Decimal | None:
    try:
        return to_cents(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return None


def total_problem(answer: dict, expected_total: Decimal) -> str | None:
    """Plain words when the created invoice's totals are not what was sent, else None."""
    total = _money(answer.get("TotalAmt"))
    tax = _money((answer.get("TxnTaxDetail") or {}).get("TotalTax", 0))
    expected = to_cents(expected_total)
    if total == expected and not tax:
        return None
    return (f"Created in QuickBooks, but its total is {total} where CareLedger expected {expected} "
            f"(QuickBooks added tax {tax}). The company's sales-tax settings seem to have changed: "
            "CareLedger reads them again before the next export. Correct this invoice in QuickBooks.")
