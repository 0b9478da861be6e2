"""Sync settings: the item-mapping rows, reading and saving the options, and Save's validation.

No `request` here: the view turns the form into a `SettingsInput` and gets back the errors to
show (keyed by slot or option) or the saved row.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from extensions import db
from models import (BatchStatus, Invoice, InvoiceBatch, InvoiceLine, LineKind, Office,
                    ServiceType)
from models._types import utcnow
from models.sync_settings import (DESCRIPTION_FIELDS, DocNumberSource, ItemMapping, LineGrouping,
                                  NameFormat, OfficeMapping, PayerMode, SyncSettings, slot_for)
from services.mapping.invoice import MAX_DOC_NUMBER
from services.sync_settings.catalog import Catalog

DESCRIPTION_LABELS = {"date": "Date", "service": "Service", "caregiver": "Caregiver",
                      "shift": "Shift times"}
OTHER_KINDS = (LineKind.MILEAGE, LineKind.EXPENSE, LineKind.HOLIDAY_PREMIUM,
               LineKind.OVERTIME_PREMIUM, LineKind.DISCOUNT)


@dataclass(frozen=True)
class ItemRow:
    slot: str
    label: str
    hint: str = ""


def item_rows() -> list[ItemRow]:
    """One row per kind of line the agency bills: each service type, a default for service types
    added later, then mileage, expenses, premiums and discounts. Tax has no row: it is never sent."""
    rows = [ItemRow(slot_for(LineKind.SERVICE, st.id), st.name,
                    "" if st.active else "inactive service type")
            for st in db.session.scalars(select(ServiceType).order_by(ServiceType.name))]
    rows.append(ItemRow(slot_for(LineKind.SERVICE), "Any other service type",
                        "used for service types without a row of their own"))
    rows.extend(ItemRow(slot_for(kind), kind.label) for kind in OTHER_KINDS)
    return rows


def settings_for(realm_id: str) -> SyncSettings:
    """The saved settings of this company, or unsaved defaults."""
    found = db.session.scalar(select(SyncSettings).where(SyncSettings.realm_id == realm_id))
    return found or SyncSettings(realm_id=realm_id)


def item_mappings(realm_id: str) -> dict[str, ItemMapping]:
    return {row.slot: row for row in db.session.scalars(
        select(ItemMapping).where(ItemMapping.realm_id == realm_id))}


def office_mappings(realm_id: str) -> dict[int, OfficeMapping]:
    return {row.office_id: row for row in db.session.scalars(
        select(OfficeMapping).where(OfficeMapping.realm_id == realm_id))}


def kinds_needing_items(session) -> set[str]:
    """Item-mapping slots used by lines on finalized invoices not yet exported.

    "Not yet exported" is every finalized invoice for now: the export engineer narrows this to
    invoices without a successful export record. Tax lines need no item (never sent).
    """
    statement = (
        select(InvoiceLine.kind, InvoiceLine.service_type_id).distinct()
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(InvoiceBatch, InvoiceBatch.id == Invoice.batch_id)
        .where(InvoiceBatch.status == BatchStatus.FINALIZED, InvoiceLine.kind != LineKind.TAX)
    )
    return {slot_for(kind, type_id if kind == LineKind.SERVICE else None)
            for kind, type_id in session.execute(statement)}


def missing_slots(needed: set[str], chosen: dict[str, str | None]) -> set[str]:
    """Needed slots without an item; a service type is covered by its own row or the default."""
    default_service = chosen.get(slot_for(LineKind.SERVICE))
    missing = set()
    for slot in needed:
        if chosen.get(slot):
            continue
        if slot.startswith("service:") and default_service:
            continue
        missing.add(slot)
    return missing


def inactive_slots(chosen: dict[str, str | None], catalog: Catalog) -> set[str]:
    """Slots whose item is no longer offered (made inactive, or gone) in QBO."""
    if not catalog.loaded:
        return set()
    return {slot for slot, item_id in chosen.items() if item_id and not catalog.is_selectable(item_id)}


def longest_invoice_number(session) -> int:
    return int(session.scalar(select(func.max(func.length(Invoice.number)))) or 0)


# --------------------------------------------------------------------------------------------
# Saving


@dataclass
class SettingsInput:
    """What the form submitted, as plain values."""

    items: dict[str, str] = field(default_factory=dict)        # slot → QBO item id ("" = none)
    doc_number_source: str = DocNumberSource.AGENCY.value
    doc_number_prefix: str = ""
    term_id: str = ""
    description: list[str] = field(default_factory=list)       # ordered field names
    line_grouping: str = LineGrouping.PER_VISIT.value
    customer_name_format: str = NameFormat.LAST_FIRST.value
    payer_mode: str = PayerMode.CLIENT.value
    office_class: bool = False
    office_department: bool = False
    office_classes: dict[int, str] = field(default_factory=dict)      # office id → class id
    office_departments: dict[int, str] = field(default_factory=dict)  # office id → department id


@dataclass
class SaveResult:
    ok: bool
    errors: dict[str, str] = field(default_factory=dict)   # slot or option name → message
    message: str = ""


def _choice(enum_cls, value: str, errors: dict, key: str):
    try:
        return enum_cls(value)
    except ValueError:
        errors[key] = "Choose one of the options"
        return None


def validate(data: SettingsInput, catalog: Catalog, session) -> dict[str, str]:
    errors: dict[str, str] = {}
    rows = {row.slot: row for row in item_rows()}
    for slot, item_id in data.items.items():
        if slot not in rows:
            errors[slot] = "Unknown row"
        elif item_id and catalog.loaded and not catalog.is_selectable(item_id):
            found = catalog.item(item_id)
            errors[slot] = (f"“{found.get('Name')}” is inactive in QuickBooks; choose another item"
                            if found else "That item is no longer in QuickBooks; choose another")
    for slot in missing_slots(kinds_needing_items(session), data.items):
        label = rows[slot].label if slot in rows else slot
        errors.setdefault(slot, f"Finalized invoices have {label} lines: choose an item")

    source = _choice(DocNumberSource, data.doc_number_source, errors, "doc_number_source")
    if source == DocNumberSource.AGENCY:
        longest = longest_invoice_number(session)
        prefix = data.doc_number_prefix.strip()
        if len(prefix) + longest > MAX_DOC_NUMBER:
            errors["doc_number_prefix"] = (
                f"Prefix + the longest invoice number ({longest} characters) would be "
                f"{len(prefix) + longest}; QuickBooks allows {MAX_DOC_NUMBER}")
    if data.term_id and not catalog.find(catalog.active_terms, data.term_id):
        errors["term_id"] = "Choose a term from QuickBooks' list"
    if len(set(data.description)) != len(data.description) or \
            any(f not in DESCRIPTION_FIELDS for f in data.description):
        errors["description"] = "Use each part at most once"
    _choice(LineGrouping, data.line_grouping, errors, "line_grouping")
    _choice(NameFormat, data.customer_name_format, errors, "customer_name_format")
    _choice(PayerMode, data.payer_mode, errors, "payer_mode")
    for office_id, class_id in data.office_classes.items():
        if class_id and not catalog.find(catalog.active_classes, class_id):
            errors[f"office_class_{office_id}"] = "Choose a class from QuickBooks' list"
    for office_id, department_id in data.office_departments.items():
        if department_id and not catalog.find(catalog.active_departments, department_id):
            errors[f"office_department_{office_id}"] = "Choose a location from QuickBooks' list"
    return errors


def save(realm_id: str, data: SettingsInput, catalog: Catalog, user) -> SaveResult:
    """Validate and store everything in one transaction. Commits on success only."""
    session = db.session
    errors = validate(data, catalog, session)
    if errors:
        return SaveResult(False, errors, "Nothing was saved: fix the highlighted rows and options.")

    settings = settings_for(realm_id)
    if settings.id is None:
        session.add(settings)
    settings.doc_number_source = DocNumberSource(data.doc_number_source)
    settings.doc_number_prefix = data.doc_number_prefix.strip()
    term = catalog.find(catalog.active_terms, data.term_id)
    settings.term_id = str(term["Id"]) if term else None
    settings.term_name = term.get("Name", "") if term else ""
    settings.description_template = ",".join(data.description)
    settings.line_grouping = LineGrouping(data.line_grouping)
    settings.customer_name_format = NameFormat(data.customer_name_format)
    settings.payer_mode = PayerMode(data.payer_mode)
    # Office options only exist while the company's preferences turn them on.
    settings.office_class = bool(data.office_class and catalog.tracks_classes)
    settings.class_per_line = catalog.class_per_line
    settings.office_department = bool(data.office_department and catalog.tracks_departments)
    settings.updated_at = utcnow()
    settings.updated_by_id = getattr(user, "id", None)

    existing = item_mappings(realm_id)
    for slot, item_id in data.items.items():
        row = existing.get(slot)
        if not item_id:
            if row is not None:
                session.delete(row)
            continue
        item = catalog.item(item_id)
        if row is None:
            row = ItemMapping(realm_id=realm_id, slot=slot)
            session.add(row)
        row.qbo_item_id = str(item_id)
        row.qbo_item_name = (item or {}).get("FullyQualifiedName") or (item or {}).get("Name", "")

    offices = office_mappings(realm_id)
    for office in session.scalars(select(Office)):
        class_id = data.office_classes.get(office.id, "") if settings.office_class else ""
        department_id = (data.office_departments.get(office.id, "")
                         if settings.office_department else "")
        row = offices.get(office.id)
        if not class_id and not department_id:
            if row is not None:
                session.delete(row)
            continue
        if row is None:
            row = OfficeMapping(realm_id=realm_id, office_id=office.id)
            session.add(row)
        klass = catalog.find(catalog.active_classes, class_id)
        department = catalog.find(catalog.active_departments, department_id)
        row.qbo_class_id = str(klass["Id"]) if klass else None
        row.qbo_class_name = (klass or {}).get("FullyQualifiedName") or (klass or {}).get("Name", "")
        row.qbo_department_id = str(department["Id"]) if department else None
        row.qbo_department_name = ((department or {}).get("FullyQualifiedName")
                                   or (department or {}).get("Name", ""))
    session.commit()
    return SaveResult(True, message="Sync settings saved.")
