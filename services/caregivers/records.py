"""Caregiver look-ups and edits, scoped to the offices a user may see.

Everyone signed in may read the caregivers of their offices; only Owners and Admins change them
(checked here as well as at the view). A caregiver outside the user's offices is reported as
missing (None), so callers answer 404 and never reveal that it exists.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update

from access import MANAGERS
from extensions import db
from models import BatchStatus, Caregiver, Invoice, InvoiceBatch, InvoiceLine
from services.agency import office_records
from services.agency.office_records import STATUSES  # noqa: F401  (the list's filter values)
EDITABLE_FIELDS = ("code", "office_id", "first_name", "last_name", "preferred_name", "email", "phone",
                   "kind", "active")


class NotAllowed(Exception):
    """The user may not make this change (not a manager, or an office they cannot see)."""


def caregivers_query(user, office_id: int | None = None, q: str = "", status: str = "active"):
    term = (q or "").strip()
    search = or_(
        Caregiver.first_name.icontains(term, autoescape=True),
        Caregiver.last_name.icontains(term, autoescape=True),
        Caregiver.preferred_name.icontains(term, autoescape=True),
        Caregiver.code.icontains(term, autoescape=True),
        Caregiver.email.icontains(term, autoescape=True),
        (Caregiver.first_name + " " + Caregiver.last_name).icontains(term, autoescape=True),
        (Caregiver.last_name + ", " + Caregiver.first_name).icontains(term, autoescape=True),
    ) if term else None
    return office_records.visible_query(Caregiver, user, office_id, status, search)


def caregiver_for(user, caregiver_id: int) -> Caregiver | None:
    return office_records.visible_record(Caregiver, user, caregiver_id)


def code_in_use(code: str, exclude_id: int | None = None) -> bool:
    return office_records.code_in_use(Caregiver, code, exclude_id)


@dataclass
class SaveResult:
    caregiver: Caregiver
    created: bool
    draft_lines_renamed: int = 0


def save_caregiver(user, data: dict, caregiver: Caregiver | None = None) -> SaveResult:
    """Create or update from cleaned form data; the caller commits."""
    if user.role not in MANAGERS or not user.can_see_office(data.get("office_id")):
        raise NotAllowed()
    if caregiver is not None and not user.can_see_office(caregiver.office_id):
        raise NotAllowed()
    created = caregiver is None
    old_name = None if created else caregiver.name
    if created:
        caregiver = Caregiver()
        db.session.add(caregiver)
    for name in EDITABLE_FIELDS:
        if name in data:
            value = data[name]
            setattr(caregiver, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    renamed = 0 if created or old_name == caregiver.name else rename_on_draft_lines(caregiver)
    return SaveResult(caregiver=caregiver, created=created, draft_lines_renamed=renamed)


def rename_on_draft_lines(caregiver: Caregiver) -> int:
    """A corrected name reaches the lines of draft batches; finalized invoices keep the name they
    were billed with (they are the agency's record and never change)."""
    drafts = (select(Invoice.id).join(InvoiceBatch, InvoiceBatch.id == Invoice.batch_id)
              .where(InvoiceBatch.status == BatchStatus.DRAFT))
    result = db.session.execute(
        update(InvoiceLine)
        .where(InvoiceLine.caregiver_id == caregiver.id, InvoiceLine.invoice_id.in_(drafts),
               InvoiceLine.caregiver_name != caregiver.name)
        .values(caregiver_name=caregiver.name)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0
