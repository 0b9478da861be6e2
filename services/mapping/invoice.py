"""Agency invoice → QuickBooks Online Invoice JSON. PURE: no database session, no HTTP.

`build_qbo_invoice(invoice, lines, settings, refs)` takes objects that are already loaded (ORM rows
or anything with the same attributes), the sync settings, and `MappingRefs` (QBO ids resolved
beforehand, see `services.sync_settings.load_refs`), and returns a `MappedInvoice`.

Rules that shape the JSON (Intuit's Invoice rules; the README, "How invoices are written"):
- QBO recomputes nothing but checks `Amount == round(Qty × UnitPrice, 2)` (error 6070), so every
  line is built to pass that check with the agency's own amount. When the agency's rate survives
  the check it is sent as UnitPrice (QBO shows the agency's rate); when it cannot (an amount that
  was rounded another way, or a summed line whose visits had different rates) the line is sent as
  Qty 1 × UnitPrice = amount and the real quantity × rate is written into the description.
- Tax never leaves the agency: TAX lines are dropped and the QBO total must equal the agency's
  total before tax. How "no tax" is said depends on the company (`TaxTreatment`, issue 13): lines
  carry TaxCodeRef NON in a US company without automated sales tax; with automated sales tax
  (AST) QuickBooks ignores line codes, so the invoice also carries the override
  `TxnTaxDetail {"TotalTax": 0}`; outside the US every line carries the zero-rated/exempt code
  chosen on Sync Settings, and without one the invoice is refused (`TaxSetupMissing`).
- Discounts and adjustments are ordinary SalesItemLine lines with a negative amount to the mapped
  discount item, not a DiscountLineDetail: QBO accepts negative sales lines, they need no
  "discounts" company preference or discount account, several may appear anywhere on the invoice,
  and they keep their own date and description like any other billed line.
- Numbers go into the body as JSON numbers (floats built from the exact Decimals: every value has
  at most 12 significant digits, so the float's shortest repr is the same decimal text). Totals
  are kept as Decimal on `MappedInvoice`.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal

from models.billing import LineKind
from models.sync_settings import slot_for

CENT = Decimal("0.01")
MAX_DOC_NUMBER = 21
MAX_DESCRIPTION = 4000
SEPARATOR = " · "

# How a quantity of each kind reads in a description ("3.5 h × $28.57").
_UNITS = {LineKind.SERVICE: "h", LineKind.HOLIDAY_PREMIUM: "h", LineKind.OVERTIME_PREMIUM: "h",
          LineKind.MILEAGE: "mi"}


class MappingError(Exception):
    """The invoice cannot be written to QBO as it stands (missing mapping, bad number, totals)."""


class TaxSetupMissing(MappingError):
    """The company's tax settings are not known or not set (a Sync Settings matter)."""


NON_TAXABLE = "NON"


@dataclass(frozen=True)
class TaxTreatment:
    """How lines say "no tax" in the connected company (services/qbo_tax/treatment.py).
    mode: "us-manual" (lines NON), "us-ast" (lines NON + zero-tax override), "non-us" (lines carry
    `line_code`), "unknown" (tax settings unreadable). `problem`: why nothing can be sent."""

    mode: str = "us-manual"
    line_code: Ref | None = None
    problem: str = ""

    def line_tax_code(self) -> Ref:
        if self.problem or self.mode == "unknown" or (self.mode == "non-us" and self.line_code is None):
            raise TaxSetupMissing(self.problem or "Choose the tax code exported lines carry "
                                  "(Sync Settings › Tax code).")
        return self.line_code if self.mode == "non-us" else Ref(NON_TAXABLE)


@dataclass(frozen=True)
class Ref:
    """A QBO reference ({"value": id, "name": …})."""

    value: str
    name: str = ""

    def json(self) -> dict:
        return {"value": self.value, "name": self.name} if self.name else {"value": self.value}


@dataclass
class MappingRefs:
    """QBO ids the mapping needs, resolved before calling it.

    customers: keyed by `customer_key(link_kind, client_id, payer_id)` with link kinds
        "client", "payer", "client_under_payer" (models.links.LinkKind values).
    items: keyed by `models.sync_settings.slot_for(kind, service_type_id)`; a service type with
        no row of its own falls back to the "service:default" slot.
    classes / departments: keyed by office id.
    term: the SalesTermRef to send, or None (then DueDate is sent and QBO shows the customer's).
    tax: how lines say "no tax" in this company.
    """

    customers: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)
    classes: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)
    term: Ref | None = None
    tax: TaxTreatment = field(default_factory=TaxTreatment)  # default: US, no automated tax

    def item_for(self, kind: LineKind, service_type_id: int | None) -> Ref | None:
        ref = self.items.get(slot_for(kind, service_type_id))
        if ref is None and kind == LineKind.SERVICE:
            ref = self.items.get(slot_for(kind, None))
        return ref


def customer_key(link_kind: str, client_id: int | None, payer_id: int | None) -> tuple:
    return (str(getattr(link_kind, "value", link_kind)), client_id, payer_id)


@dataclass
class MappedInvoice:
    body: dict
    qbo_total: Decimal
    agency_total_ex_tax: Decimal
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Line:
    """One QBO line before it becomes JSON."""

    item: Ref
    qty: Decimal
    unit_price: Decimal
    amount: Decimal
    service_date: date | None
    description: str


# --------------------------------------------------------------------------------------------
# Small formatting helpers


def cents(value) -> Decimal:
    """Round half-up to cents: how the agency and QBO round amounts."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _value(option) -> str:
    return str(getattr(option, "value", option))


def _plain(number: Decimal) -> str:
    """3.50 → "3.5", 2.00 → "2"; never scientific notation."""
    text = format(Decimal(number).normalize(), "f")
    return text


def _money(rate: Decimal) -> str:
    """A rate as money: at least two decimals, more when the rate has them ($0.655)."""
    rate = Decimal(rate)
    sign = "-" if rate < 0 else ""
    rate = abs(rate)
    text = _plain(rate)
    if "." not in text:
        text += ".00"
    elif len(text.split(".")[1]) == 1:
        text += "0"
    return f"{sign}${text}"


def _qty_times_rate(kind: LineKind, qty: Decimal, rate: Decimal) -> str:
    unit = _UNITS.get(kind)
    return f"{_plain(qty)} {unit} × {_money(rate)}" if unit else f"{_plain(qty)} × {_money(rate)}"


def _date(value: date) -> str:
    return value.strftime("%m/%d/%Y")


def _clock(value: time) -> str:
    return value.strftime("%I:%M %p").lstrip("0")


def _shift(line) -> str:
    start, end = getattr(line, "start_time", None), getattr(line, "end_time", None)
    if start and end:
        return f"{_clock(start)}–{_clock(end)}"
    return ""


def _service_label(line) -> str:
    kind = LineKind(line.kind)
    if kind == LineKind.SERVICE and getattr(line, "service_type", None) is not None:
        return line.service_type.name
    return (getattr(line, "description", "") or "").strip() or kind.label


def _type_id(line) -> int | None:
    type_id = getattr(line, "service_type_id", None)
    if type_id is None and getattr(line, "service_type", None) is not None:
        type_id = line.service_type.id  # an unflushed row knows its relationship, not the FK
    return type_id


def _line_amount(line) -> Decimal:
    amount = getattr(line, "amount", None)
    if amount is None:
        amount = cents(Decimal(line.quantity) * Decimal(line.rate))
    return Decimal(amount)


# --------------------------------------------------------------------------------------------
# Descriptions


def visit_description(line, fields: list[str]) -> str:
    parts = []
    for name in fields:
        if name == "date" and line.service_date:
            parts.append(_date(line.service_date))
        elif name == "service":
            parts.append(_service_label(line))
        elif name == "caregiver" and (getattr(line, "caregiver_name", "") or "").strip():
            parts.append(line.caregiver_name.strip())
        elif name == "shift" and _shift(line):
            parts.append(_shift(line))
    return SEPARATOR.join(parts)


def group_description(group: list, fields: list[str]) -> str:
    if len(group) == 1:
        return visit_description(group[0], fields)
    parts = []
    dates = sorted({line.service_date for line in group if line.service_date})
    caregivers = list(OrderedDict.fromkeys(
        (line.caregiver_name or "").strip() for line in group if (line.caregiver_name or "").strip()))
    for name in fields:
        if name == "date" and dates:
            parts.append(_date(dates[0]) if len(dates) == 1
                         else f"{_date(dates[0])}–{_date(dates[-1])}")
        elif name == "service":
            labels = list(OrderedDict.fromkeys(_service_label(line) for line in group))
            parts.append(labels[0] if len(labels) == 1 else LineKind(group[0].kind).label)
        elif name == "caregiver" and caregivers:
            shown = ", ".join(caregivers[:3])
            parts.append(shown if len(caregivers) <= 3 else f"{shown} +{len(caregivers) - 3} more")
        elif name == "shift":
            parts.append(f"{len(group)} visits" if LineKind(group[0].kind) == LineKind.SERVICE
                         else f"{len(group)} entries")
    return SEPARATOR.join(parts)


# --------------------------------------------------------------------------------------------
# Lines


def _exact_line(kind: LineKind, item: Ref, qty: Decimal, rate: Decimal, amount: Decimal,
                service_date, description: str, mix: str | None, warnings: list, label: str) -> _Line:
    """Keep Qty × rate when it reproduces the amount; otherwise send 1 × amount and say why."""
    if mix is None and cents(qty * rate) == amount:
        return _Line(item, qty, rate, amount, service_date, description)
    note = mix or _qty_times_rate(kind, qty, rate)
    warnings.append(f"{label}: sent as 1 × {_money(amount)} because {note} does not give "
                    f"{_money(amount)} at QuickBooks' rounding")
    text = f"{description}{SEPARATOR}{note}" if description else note
    return _Line(item, Decimal(1), amount, amount, service_date, text)


def _item(refs: MappingRefs, line) -> Ref:
    kind = LineKind(line.kind)
    ref = refs.item_for(kind, _type_id(line))
    if ref is None:
        what = _service_label(line) if kind == LineKind.SERVICE else kind.label
        raise MappingError(f"No QuickBooks item is chosen for “{what}” lines "
                           "(Sync Settings → Item mapping)")
    return ref


def _per_visit(lines: list, fields: list[str], refs: MappingRefs, warnings: list) -> list[_Line]:
    result = []
    for position, line in enumerate(lines, start=1):
        kind = LineKind(line.kind)
        result.append(_exact_line(
            kind, _item(refs, line), Decimal(line.quantity), Decimal(line.rate), _line_amount(line),
            line.service_date, visit_description(line, fields), None, warnings,
            f"Line {position}"))
    return result


def _per_service_type(lines: list, fields: list[str], refs: MappingRefs,
                      warnings: list) -> list[_Line]:
    groups: OrderedDict = OrderedDict()
    for line in lines:
        kind = LineKind(line.kind)
        key = (kind, _type_id(line) if kind == LineKind.SERVICE else None)
        groups.setdefault(key, []).append(line)
    result = []
    for (kind, _unused), group in groups.items():
        qty = sum((Decimal(line.quantity) for line in group), Decimal(0))
        amount = sum((_line_amount(line) for line in group), Decimal(0))
        by_rate: OrderedDict = OrderedDict()
        for line in group:
            by_rate[Decimal(line.rate)] = by_rate.get(Decimal(line.rate), Decimal(0)) + Decimal(line.quantity)
        dates = {line.service_date for line in group}
        service_date = next(iter(dates)) if len(dates) == 1 else None
        rate = next(iter(by_rate))
        mix = None
        if len(by_rate) > 1:
            mix = " + ".join(_qty_times_rate(kind, q, r) for r, q in by_rate.items())
        label = _service_label(group[0]) if kind == LineKind.SERVICE else kind.label
        result.append(_exact_line(kind, _item(refs, group[0]), qty, rate, amount, service_date,
                                  group_description(group, fields), mix, warnings, label))
    return result


def _line_json(line: _Line, class_ref: Ref | None, number: int, tax_code: Ref) -> dict:
    detail = {
        "ItemRef": line.item.json(),
        "Qty": float(line.qty),
        "UnitPrice": float(line.unit_price),
        "TaxCodeRef": tax_code.json(),
    }
    if line.service_date:
        detail["ServiceDate"] = line.service_date.isoformat()
    if class_ref is not None:
        detail["ClassRef"] = class_ref.json()
    body = {"LineNum": number, "DetailType": "SalesItemLineDetail", "Amount": float(line.amount),
            "SalesItemLineDetail": detail}
    if line.description:
        body["Description"] = line.description[:MAX_DESCRIPTION]
    return body


# --------------------------------------------------------------------------------------------
# The invoice


def doc_number_for(invoice_number: str, prefix: str) -> str:
    doc_number = f"{prefix or ''}{invoice_number}"
    if len(doc_number) > MAX_DOC_NUMBER:
        raise MappingError(
            f"Invoice number “{doc_number}” is {len(doc_number)} characters; QuickBooks allows "
            f"{MAX_DOC_NUMBER}. Shorten the prefix in Sync Settings.")
    return doc_number


def resolve_customer(invoice, payer_mode, refs: MappingRefs) -> Ref:
    client_id, payer_id = invoice.client_id, invoice.payer_id
    if payer_id is not None and _value(payer_mode) == "payer_subcustomer":
        key, where = customer_key("client_under_payer", client_id, payer_id), "under its payer"
    else:
        key, where = customer_key("client", client_id, None), ""
    ref = refs.customers.get(key)
    if ref is None:
        client = getattr(invoice, "client", None)
        who = client.full_name if client is not None else f"client #{client_id}"
        raise MappingError(f"{who} has no QuickBooks customer{(' ' + where) if where else ''} yet "
                           "(Client Matching)")
    return ref


def build_qbo_invoice(invoice, lines, settings, refs: MappingRefs,
                      agency_subtotal: Decimal | None = None) -> MappedInvoice:
    """Map one agency invoice to the QBO Invoice create body.

    `lines` are the invoice's lines in order (tax lines included; they are left out here).
    `agency_subtotal`, when given (e.g. `invoice.subtotal` from SQL), must equal the lines' total
    before tax. Raises MappingError when the invoice cannot be sent as it is.
    """
    warnings: list[str] = []
    billed = [line for line in lines if LineKind(line.kind) != LineKind.TAX]
    if not billed:
        raise MappingError(f"Invoice {invoice.number} has no lines other than tax")
    fields = list(settings.description_fields)

    if _value(settings.line_grouping) == "per_service_type":
        qbo_lines = _per_service_type(billed, fields, refs, warnings)
    else:
        qbo_lines = _per_visit(billed, fields, refs, warnings)

    batch = getattr(invoice, "batch", None)
    office_id = getattr(batch, "office_id", None)
    class_ref = department_ref = None
    if settings.office_class:
        class_ref = refs.classes.get(office_id)
        if class_ref is None:
            warnings.append("This office has no QuickBooks class; the invoice is sent without one")
    if settings.office_department:
        department_ref = refs.departments.get(office_id)
        if department_ref is None:
            warnings.append("This office has no QuickBooks location; the invoice is sent without one")
    line_class = class_ref if settings.class_per_line else None

    body: dict = {"CustomerRef": resolve_customer(invoice, settings.payer_mode, refs).json()}
    if _value(settings.doc_number_source) == "agency":
        body["DocNumber"] = doc_number_for(invoice.number, settings.doc_number_prefix)
    body["TxnDate"] = invoice.invoice_date.isoformat()
    if refs.term is not None:
        body["SalesTermRef"] = refs.term.json()  # QBO derives DueDate from the term
    else:
        body["DueDate"] = invoice.due_date.isoformat()
    if class_ref is not None and not settings.class_per_line:
        body["ClassRef"] = class_ref.json()
    if department_ref is not None:
        body["DepartmentRef"] = department_ref.json()
    batch_number = getattr(batch, "number", None)
    body["PrivateNote"] = (f"CareLedger batch {batch_number} · invoice {invoice.number}"
                           if batch_number else f"CareLedger invoice {invoice.number}")
    tax_code = refs.tax.line_tax_code()
    body["Line"] = [_line_json(line, line_class, n, tax_code) for n, line in enumerate(qbo_lines, start=1)]
    if refs.tax.mode == "us-ast":
        body["TxnTaxDetail"] = {"TotalTax": 0}  # AST ignores line codes; only this override holds

    qbo_total = sum((line.amount for line in qbo_lines), Decimal("0.00"))
    agency_total = sum((_line_amount(line) for line in billed), Decimal("0.00"))
    for line in qbo_lines:  # the invariant QBO enforces with error 6070
        if cents(line.qty * line.unit_price) != line.amount:
            raise MappingError("Internal: a line's Qty × UnitPrice does not give its amount")
    if agency_subtotal is not None and cents(agency_subtotal) != agency_total:
        raise MappingError(f"Invoice {invoice.number}: lines total {_money(agency_total)} but the "
                           f"invoice's subtotal is {_money(cents(agency_subtotal))}")
    if qbo_total != agency_total:
        raise MappingError(f"Invoice {invoice.number}: QuickBooks total {_money(qbo_total)} would "
                           f"differ from the agency total before tax {_money(agency_total)}")
    if qbo_total < 0:
        raise MappingError(f"Invoice {invoice.number} totals {_money(qbo_total)}; QuickBooks "
                           "invoices cannot be negative (use a credit memo)")
    return MappedInvoice(body=body, qbo_total=cents(qbo_total), agency_total_ex_tax=cents(agency_total),
                         warnings=warnings)
