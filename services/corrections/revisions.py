"""Revisions of an exported invoice's lines. The finalized lines (revision 0) are never edited:
a correction copies the current lines with the person's changes into a new `InvoiceRevision`,
with the reason, and records before → after in the audit trail. Bad input changes nothing."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from extensions import db
from models import Invoice, LineKind
from models._types import to_cents
from models.corrections import InvoiceRevision, InvoiceRevisionLine
from models.export import ExportStatus, InvoiceExport
from services.export import audit

COPIED = ("kind", "description", "service_type_id", "service_date", "caregiver_id", "caregiver_name",
          "start_time", "end_time", "taxable")
MAX_REASON = 500


class CorrectionRefused(Exception):
    """Why the correction was not saved (plain words); nothing was changed."""


@dataclass(frozen=True)
class LineEdit:
    """The form's answer for one current line (by its position in the current revision)."""

    index: int
    quantity: str
    rate: str
    description: str
    remove: bool = False


def latest_for(invoice_ids) -> dict[int, InvoiceRevision]:
    """invoice id → its newest revision (with lines), for invoices that have one. Two queries."""
    ids = list(invoice_ids)
    if not ids:
        return {}
    newest = (select(InvoiceRevision.invoice_id, func.max(InvoiceRevision.number).label("n"))
              .where(InvoiceRevision.invoice_id.in_(ids)).group_by(InvoiceRevision.invoice_id).subquery())
    rows = db.session.scalars(select(InvoiceRevision).join(
        newest, (newest.c.invoice_id == InvoiceRevision.invoice_id) & (newest.c.n == InvoiceRevision.number))
        .options(selectinload(InvoiceRevision.lines).joinedload(InvoiceRevisionLine.service_type)))
    return {row.invoice_id: row for row in rows}


def latest(invoice_id: int) -> InvoiceRevision | None:
    return latest_for([invoice_id]).get(invoice_id)


def history(invoice_id: int) -> list[InvoiceRevision]:
    return list(db.session.scalars(select(InvoiceRevision).where(InvoiceRevision.invoice_id == invoice_id)
                                   .options(selectinload(InvoiceRevision.lines))
                                   .order_by(InvoiceRevision.number)))


def current_lines(invoice: Invoice, revision: InvoiceRevision | None = None) -> list:
    revision = revision if revision is not None else latest(invoice.id)
    return list(revision.lines) if revision is not None else list(invoice.lines)


def totals(lines) -> tuple[Decimal, Decimal]:
    """(subtotal before tax, tax) of a list of lines."""
    subtotal = sum((Decimal(l.amount) for l in lines if LineKind(l.kind) != LineKind.TAX), Decimal(0))
    tax = sum((Decimal(l.amount) for l in lines if LineKind(l.kind) == LineKind.TAX), Decimal(0))
    return to_cents(subtotal), to_cents(tax)


def _decimal(text: str, what: str, number: int) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise CorrectionRefused(f"Line {number}: the {what} “{text}” is not a number.") from None
    if not value.is_finite():
        raise CorrectionRefused(f"Line {number}: the {what} “{text}” is not a number.")
    return value


def _corrected_line(line, edit: LineEdit, position: int) -> InvoiceRevisionLine:
    quantity = _decimal(edit.quantity, "quantity", edit.index + 1)
    rate = _decimal(edit.rate, "rate", edit.index + 1)
    if quantity < 0 or quantity != quantity.quantize(Decimal("0.01")) or quantity >= Decimal("1e8"):
        raise CorrectionRefused(f"Line {edit.index + 1}: the quantity must be 0 or more, with at most 2 decimals.")
    if rate != rate.quantize(Decimal("0.0001")) or abs(rate) >= Decimal("1e8"):
        raise CorrectionRefused(f"Line {edit.index + 1}: the rate may have at most 4 decimals.")
    kind = LineKind(line.kind)
    if kind == LineKind.DISCOUNT and rate > 0:
        raise CorrectionRefused(f"Line {edit.index + 1}: a discount's rate must be negative.")
    values = {name: getattr(line, name) for name in COPIED}
    description = (edit.description or "").strip()[:500]
    values["description"] = description if description or not line.description else ""
    return InvoiceRevisionLine(position=position, quantity=quantity, rate=rate,
                               amount=to_cents(quantity * rate), **values)


def exported_record(realm_id: str | None, invoice_id: int) -> InvoiceExport | None:
    if not realm_id:
        return None
    record = db.session.scalar(select(InvoiceExport).where(
        InvoiceExport.realm_id == realm_id, InvoiceExport.invoice_id == invoice_id))
    return record if record is not None and record.status == ExportStatus.EXPORTED and record.qbo_id else None


def correct(user, invoice: Invoice, edits: list[LineEdit], reason: str, realm_id: str | None) -> InvoiceRevision:
    """Save a new revision of an exported invoice's lines. Commits. Raises CorrectionRefused."""
    reason = (reason or "").strip()
    if not reason:
        raise CorrectionRefused("Say why the invoice is corrected (the reason is kept with the revision).")
    if len(reason) > MAX_REASON:
        raise CorrectionRefused(f"The reason is longer than {MAX_REASON} characters.")
    if exported_record(realm_id, invoice.id) is None:
        raise CorrectionRefused(f"Invoice {invoice.number} is not in QuickBooks; only exported invoices "
                                "are corrected (the finalized batch stays as it is).")
    previous = latest(invoice.id)
    before = current_lines(invoice, previous)
    by_index = {edit.index: edit for edit in edits}
    if set(by_index) != set(range(len(before))):
        raise CorrectionRefused("The form did not cover every line of the invoice; open it again.")
    kept = [(line, by_index[n]) for n, line in enumerate(before) if not by_index[n].remove]
    lines = [_corrected_line(line, edit, position) for position, (line, edit) in enumerate(kept, start=1)]
    subtotal, tax = totals(lines)
    if not any(LineKind(l.kind) != LineKind.TAX for l in lines):
        raise CorrectionRefused("An invoice needs at least one line other than tax.")
    if subtotal < 0:
        raise CorrectionRefused("The corrected invoice would total less than zero.")
    old_subtotal, old_tax = totals(before)
    if [_key(l) for l in lines] == [_key(l) for l in before]:
        raise CorrectionRefused("Nothing was changed, so no revision was made.")
    revision = InvoiceRevision(invoice_id=invoice.id, number=(previous.number + 1) if previous else 1,
                               reason=reason, created_by_id=getattr(user, "id", None), lines=lines)
    db.session.add(revision)
    db.session.flush()
    audit.record(realm_id, "corrected", invoice_id=invoice.id, user_id=getattr(user, "id", None),
                 actor=getattr(user, "name", "") or "", detail=(
                     f"revision {revision.number}: total before tax {old_subtotal} → {subtotal}, "
                     f"tax {old_tax} → {tax}; {_changes(before, lines)}; reason: {reason}"))
    db.session.commit()
    return revision


def _key(line) -> tuple:
    return (LineKind(line.kind).value, Decimal(line.quantity), Decimal(line.rate), (line.description or "").strip())


def _changes(before: list, after: list) -> str:
    """Which lines changed, in words: 'line 2 qty 3 → 2.5; line 3 removed'."""
    words = []
    kept = {}
    for line in after:
        kept.setdefault(_identity(line), line)
    for n, line in enumerate(before, start=1):
        new = kept.get(_identity(line))
        if new is None:
            words.append(f"line {n} removed")
            continue
        if Decimal(new.quantity) != Decimal(line.quantity):
            words.append(f"line {n} qty {Decimal(line.quantity).normalize()} → {Decimal(new.quantity).normalize()}")
        if Decimal(new.rate) != Decimal(line.rate):
            words.append(f"line {n} rate {Decimal(line.rate).normalize()} → {Decimal(new.rate).normalize()}")
        if (new.description or "") != (line.description or ""):
            words.append(f"line {n} description changed")
    return ", ".join(words) or "no line changed"


def _identity(line) -> tuple:
    return (LineKind(line.kind).value, line.service_type_id, line.service_date, line.caregiver_name,
            line.start_time, line.end_time)
