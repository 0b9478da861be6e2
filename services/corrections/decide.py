"""What to do with one claimed action, given the QuickBooks invoice as just read. PURE.

Every round of the corrections engine reads the invoices first (one query for the group), so
the SyncToken sent is the current one, a payment applied since the last check is seen, and a
send whose answer was lost is recognised from what QuickBooks now holds (the look-up after an
ambiguous failure) instead of being sent again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from models.corrections import ActionKind, ActionStatus, InvoiceAction
from qbo.errors import QboError
from services.corrections.digest import digest, summary


@dataclass
class Plan:
    """`send`: the batch item's operation and entity body; otherwise the final status and words."""

    send: dict | None = None
    status: ActionStatus | None = None
    message: str = ""
    conflict: dict | None = None
    result: dict | None = None   # the QuickBooks invoice that shows our write already done
    extra: dict = field(default_factory=dict)


def _money(value) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except Exception:  # noqa: BLE001
        return Decimal("0.00")


def _dollars(value) -> str:
    return f"${_money(value):,.2f}"


def paid_amount(doc: dict) -> Decimal:
    """What QuickBooks has received on the invoice: its total less what is still due."""
    return max(_money(doc.get("TotalAmt", 0)) - _money(doc.get("Balance", doc.get("TotalAmt", 0))), Decimal(0))


def has_payment(doc: dict) -> bool:
    return paid_amount(doc) > 0 or any(l.get("TxnType") == "Payment" for l in doc.get("LinkedTxn") or [])


def is_voided(doc: dict) -> bool:
    return _money(doc.get("TotalAmt", 0)) == 0 and "voided" in str(doc.get("PrivateNote", "")).lower()


def changed_since(doc: dict, last_digest: str | None, last_total, last_customer: str | None) -> bool:
    """Did someone change the invoice's content in QuickBooks since our last write?"""
    if last_digest:
        return digest(doc) != last_digest
    # Exported before digests were kept: the total and the customer are what we know we sent.
    return (_money(doc.get("TotalAmt")) != _money(last_total)
            or str((doc.get("CustomerRef") or {}).get("value")) != str(last_customer))


def update_lines(doc: dict, new_lines: list[dict]) -> list[dict]:
    """The corrected lines with QuickBooks' line Ids kept, position by position (extra lines get
    new Ids from QuickBooks; lines beyond the new count are dropped)."""
    ids = [l.get("Id") for l in doc.get("Line") or [] if l.get("DetailType") == "SalesItemLineDetail"]
    out = []
    for n, line in enumerate(new_lines):
        line = dict(line)
        if n < len(ids) and ids[n]:
            line["Id"] = ids[n]
        out.append(line)
    return out


def expected_after_update(doc: dict, body: dict, new_total: Decimal) -> str:
    """The digest QuickBooks' invoice will have once our update is in."""
    return digest(dict(doc, Line=body["Line"], TotalAmt=str(new_total)))


def plan_update(action, doc: dict | None, body: dict, new_total: Decimal, record) -> Plan:
    if doc is None:
        return Plan(status=ActionStatus.REFUSED, message="The invoice is no longer in QuickBooks (deleted there); nothing was updated.")
    if is_voided(doc):
        return Plan(status=ActionStatus.REFUSED, message="The invoice is voided in QuickBooks; nothing was updated.")
    if digest(doc) == expected_after_update(doc, body, new_total):  # our write is in (a lost answer)
        return Plan(status=ActionStatus.DONE, result=doc, message="Updated in QuickBooks (found done after a lost answer).")
    if changed_since(doc, record.qbo_digest, record.qbo_total, record.qbo_customer_id):
        ours = summary(dict(doc, Line=body["Line"], TotalAmt=str(new_total)))
        return Plan(status=ActionStatus.REFUSED, conflict={"quickbooks": summary(doc), "careledger": ours},
                    message=("The invoice was changed in QuickBooks since CareLedger last wrote it "
                             f"(QuickBooks now: total {_dollars(doc.get('TotalAmt'))}). Nothing was "
                             "updated: compare both sides below and agree with the bookkeeper."))
    paid = paid_amount(doc)
    if paid > new_total:
        return Plan(status=ActionStatus.REFUSED,
                    message=(f"QuickBooks already has {_dollars(paid)} received on this invoice, more than the "
                             f"corrected total {_dollars(new_total)}. Nothing was updated; the payment must be "
                             "changed in QuickBooks first."))
    sparse = {"Id": doc["Id"], "SyncToken": doc["SyncToken"], "sparse": True,
              "Line": update_lines(doc, body["Line"])}
    if "TxnTaxDetail" in body:
        sparse["TxnTaxDetail"] = body["TxnTaxDetail"]
    return Plan(send={"operation": "update", "Invoice": sparse})


def plan_remove(action, doc: dict | None, undo: bool) -> Plan:
    """Void or delete. `undo`: part of an Undo export (a paid invoice is left alone, not refused)."""
    gone = ActionStatus.SKIPPED if undo else ActionStatus.REFUSED
    voiding = action.kind == ActionKind.VOID
    if doc is None:
        if not voiding and action.attempts > 0:
            return Plan(status=ActionStatus.DONE, message="Deleted in QuickBooks (found done after a lost answer).")
        return Plan(status=gone, message="The invoice is no longer in QuickBooks (deleted there).")
    if voiding and is_voided(doc):
        if action.attempts > 0:
            return Plan(status=ActionStatus.DONE, result=doc, message="Voided in QuickBooks (found done after a lost answer).")
        return Plan(status=gone, message="The invoice is already voided in QuickBooks.")
    if has_payment(doc):
        return Plan(status=gone, message=(f"A payment of {_dollars(paid_amount(doc))} settles this invoice in QuickBooks, "
                                          "so it was left as it is (void the payment there first)."))
    if voiding:
        return Plan(send={"operation": "update", "optionsData": "void",
                          "Invoice": {"Id": doc["Id"], "SyncToken": doc["SyncToken"], "sparse": True}})
    return Plan(send={"operation": "delete", "Invoice": {"Id": doc["Id"], "SyncToken": doc["SyncToken"]}})


@dataclass
class Work:
    action: InvoiceAction
    body: dict | None = None          # an update's mapped invoice (from the revision)
    new_total: Decimal | None = None

    @property
    def request_id(self) -> str:      # for batch_request_id
        return self.action.request_id

    @property
    def bid(self) -> str:
        return str(self.action.id)


def period_closed(error: QboError) -> bool:
    """5010 is both Stale Object and Account Period Closed: the message tells them apart (§11)."""
    text = " ".join(f"{e.message} {e.detail}" for e in getattr(error, "errors", ()) or ()) + str(error)
    return "period closed" in text.lower() or "period has closed" in text.lower()
