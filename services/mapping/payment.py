"""Pure parse of what QuickBooks' change feed (CDC) reports: Payments, and the Invoice and
Customer changes beside them. No I/O, no Flask, no models: plain JSON in, frozen records out.

CDC answers `{"CDCResponse": [{"QueryResponse": [{"Invoice": [...]}, {"Payment": [...]}, ...]}]}`,
one QueryResponse per entity asked for (PROTOCOL §8). A deleted object comes back as a tombstone
`{"status": "Deleted", "Id", "MetaData": {"LastUpdatedTime"}}`. A voided invoice or payment has
every amount 0 and `PrivateNote` "Voided" (QuickBooks writes that note itself).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

CDC_MAX_OBJECTS = 1000   # QuickBooks answers at most this many objects per CDC call


@dataclass(frozen=True)
class InvoiceChange:
    qbo_id: str
    deleted: bool = False
    voided: bool = False
    doc_number: str = ""
    customer_id: str | None = None
    total: Decimal | None = None
    balance: Decimal | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class PaymentChange:
    qbo_id: str
    deleted: bool = False
    voided: bool = False
    customer_id: str | None = None
    total: Decimal | None = None
    txn_date: date | None = None
    reference: str = ""
    applied: tuple[tuple[str, Decimal], ...] = ()   # (invoice Id, amount) per linked invoice
    updated_at: datetime | None = None


@dataclass(frozen=True)
class CustomerChange:
    qbo_id: str
    deleted: bool = False
    display_name: str = ""
    active: bool = True
    updated_at: datetime | None = None


@dataclass
class ChangeSet:
    invoices: list[InvoiceChange] = field(default_factory=list)
    payments: list[PaymentChange] = field(default_factory=list)
    customers: list[CustomerChange] = field(default_factory=list)
    # Objects per entity as answered (to tell a full, possibly cut-off answer from a complete one).
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def truncated(self) -> bool:
        return self.total >= CDC_MAX_OBJECTS

    def latest(self, entity: str) -> datetime | None:
        rows = {"Invoice": self.invoices, "Payment": self.payments, "Customer": self.customers}[entity]
        times = [r.updated_at for r in rows if r.updated_at is not None]
        return max(times) if times else None


def parse_time(text) -> datetime | None:
    """QuickBooks' `2026-11-30T09:15:02-08:00` (or with Z / fractions) as an aware UTC datetime."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _money(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _ref(doc: dict, key: str) -> str | None:
    ref = doc.get(key)
    value = ref.get("value") if isinstance(ref, dict) else None
    return str(value) if value not in (None, "") else None


def _updated(doc: dict) -> datetime | None:
    meta = doc.get("MetaData")
    return parse_time(meta.get("LastUpdatedTime")) if isinstance(meta, dict) else None


def _is_tombstone(doc: dict) -> bool:
    return str(doc.get("status", "")).lower() == "deleted"


def _is_voided(doc: dict) -> bool:
    note = str(doc.get("PrivateNote") or "")
    return note.strip().lower().startswith("voided") and (_money(doc.get("TotalAmt")) or 0) == 0


def parse_invoice(doc: dict) -> InvoiceChange:
    qbo_id = str(doc["Id"])
    if _is_tombstone(doc):
        return InvoiceChange(qbo_id, deleted=True, updated_at=_updated(doc))
    return InvoiceChange(qbo_id, voided=_is_voided(doc), doc_number=str(doc.get("DocNumber") or ""),
                         customer_id=_ref(doc, "CustomerRef"), total=_money(doc.get("TotalAmt")),
                         balance=_money(doc.get("Balance")), updated_at=_updated(doc))


def parse_payment(doc: dict) -> PaymentChange:
    """A Payment: which invoices it pays and how much of each (its lines' LinkedTxn)."""
    qbo_id = str(doc["Id"])
    if _is_tombstone(doc):
        return PaymentChange(qbo_id, deleted=True, updated_at=_updated(doc))
    applied: dict[str, Decimal] = {}
    for line in doc.get("Line") or []:
        amount = _money(line.get("Amount")) if isinstance(line, dict) else None
        for linked in (line.get("LinkedTxn") or []) if isinstance(line, dict) else []:
            if isinstance(linked, dict) and linked.get("TxnType") == "Invoice" and linked.get("TxnId"):
                invoice_id = str(linked["TxnId"])
                applied[invoice_id] = applied.get(invoice_id, Decimal("0")) + (amount or Decimal("0"))
    voided = _is_voided(doc)
    return PaymentChange(qbo_id, voided=voided, customer_id=_ref(doc, "CustomerRef"),
                         total=_money(doc.get("TotalAmt")), txn_date=_date(doc.get("TxnDate")),
                         reference=str(doc.get("PaymentRefNum") or "")[:100],
                         applied=() if voided else tuple(sorted(applied.items())),
                         updated_at=_updated(doc))


def parse_customer(doc: dict) -> CustomerChange:
    qbo_id = str(doc["Id"])
    if _is_tombstone(doc):
        return CustomerChange(qbo_id, deleted=True, updated_at=_updated(doc))
    return CustomerChange(qbo_id, display_name=str(doc.get("DisplayName") or ""),
                          active=doc.get("Active", True) is not False, updated_at=_updated(doc))


PARSERS = {"Invoice": ("invoices", parse_invoice), "Payment": ("payments", parse_payment),
           "Customer": ("customers", parse_customer)}


def parse_cdc(body: dict) -> ChangeSet:
    """Every Invoice, Payment and Customer of a CDC answer; other entities and rows without an
    Id are skipped (QuickBooks adds fields and entities without notice)."""
    changes = ChangeSet()
    for response in (body or {}).get("CDCResponse") or []:
        for query in (response or {}).get("QueryResponse") or []:
            for entity, docs in (query or {}).items():
                if entity not in PARSERS or not isinstance(docs, list):
                    continue
                attribute, parse = PARSERS[entity]
                changes.counts[entity] = changes.counts.get(entity, 0) + len(docs)
                getattr(changes, attribute).extend(
                    parse(doc) for doc in docs if isinstance(doc, dict) and doc.get("Id") is not None)
    return changes
