"""From an export record to a `Prepared` invoice: load it, resolve QBO refs, map it with the pure
issue-#5 function, and check the QBO total equals the agency total before tax.

Also answers "can this invoice be exported?" for the batch page (eligibility = its bill-to
customer is linked in this realm), using the same customer rule as the mapping.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, String, inspect as sa_inspect, select, type_coerce
from sqlalchemy.orm import joinedload, selectinload, undefer

from extensions import db
from models import CustomerLink, Invoice, InvoiceLine, LinkKind
from models._types import to_cents
from models.export import InvoiceExport
from models.sync_settings import ItemMapping, OfficeMapping, SyncSettings
from services.client_matching.links import realm_links
from services.client_matching.qbo_changes import flagged_links
from services.export.engine import NotExportable, Prepared
from services.sync_settings import settings_for
from services.mapping.invoice import (MappedInvoice, MappingError, MappingRefs, Ref,
                                      TaxSetupMissing, build_qbo_invoice, customer_key, doc_number_for)
from services.qbo_tax.treatment import treatment_for


TAX_SETUP = "tax_setup"  # error code of invoices refused until Sync Settings › Tax code is set


def bill_to_key(invoice: Invoice, settings: SyncSettings, mode: str | None = None) -> tuple:
    """The CustomerLink key the mapping will bill (same rule as invoice_mapping.resolve_customer).
    `mode`: the settings' payer mode, when the caller has read it once for many invoices."""
    mode = mode or getattr(settings.payer_mode, "value", settings.payer_mode)
    if invoice.payer_id is not None and mode == "payer_subcustomer":
        return customer_key("client_under_payer", invoice.client_id, invoice.payer_id)
    return customer_key("client", invoice.client_id, None)


def customer_link_rows(realm_id: str, client_ids) -> tuple:
    """The realm's links of these clients (ids, or a select of ids) as plain tuples in a fixed
    order: what the customer refs are built from, and the batch page's cache key holds."""
    ids = client_ids if isinstance(client_ids, Select) else list(set(client_ids))
    kind = type_coerce(CustomerLink.kind, String)  # the stored value: no enum made per row
    return tuple(tuple(row) for row in db.session.execute(realm_links(realm_id).with_only_columns(
        kind, CustomerLink.client_id, CustomerLink.payer_id, CustomerLink.qbo_customer_id,
        CustomerLink.qbo_display_name).where(CustomerLink.client_id.in_(ids)).order_by(CustomerLink.id)))


def refs_from_link_rows(rows) -> dict:
    kinds = {kind: kind.value for kind in LinkKind}  # an enum's .value is slow in a loop of thousands
    return {customer_key(kinds.get(kind, kind), client_id, payer_id): Ref(customer_id, name or "")
            for kind, client_id, payer_id, customer_id, name in rows}


def customer_refs(realm_id: str, client_ids) -> dict:
    # Plain rows, not ORM objects: the batch page reads a thousand of these per view.
    return refs_from_link_rows(customer_link_rows(realm_id, client_ids))


def load_refs(realm_id: str, settings: SyncSettings, client_ids, client_factory=None,
              customers: dict | None = None) -> MappingRefs:
    """Everything the mapping refers to, from the database; the tax treatment is cached too and
    read from QuickBooks (`client_factory()`, default the connected client) only the first time.
    `customers`: the customer refs when the caller has them (then `client_ids` is not read)."""
    items = {row.slot: Ref(row.qbo_item_id, row.qbo_item_name)
             for row in db.session.scalars(select(ItemMapping).where(ItemMapping.realm_id == realm_id))}
    classes, departments = {}, {}
    for row in db.session.scalars(select(OfficeMapping).where(OfficeMapping.realm_id == realm_id)):
        if row.qbo_class_id:
            classes[row.office_id] = Ref(row.qbo_class_id, row.qbo_class_name)
        if row.qbo_department_id:
            departments[row.office_id] = Ref(row.qbo_department_id, row.qbo_department_name)
    term = Ref(settings.term_id, settings.term_name) if settings.term_id else None
    if customers is None:
        customers = customer_refs(realm_id, client_ids)
    return MappingRefs(customers=customers, items=items, classes=classes, departments=departments,
                       term=term, tax=treatment_for(realm_id, client_factory))


def load_lines(invoices: list[Invoice]) -> None:
    """Fill each invoice's `lines` (with service types) in one query for the whole list, so
    mapping many invoices reads no lazy collection per invoice."""
    pending = [i.id for i in invoices if "lines" in sa_inspect(i).unloaded]
    if pending:
        db.session.scalars(select(Invoice).where(Invoice.id.in_(pending)).options(
            selectinload(Invoice.lines).joinedload(InvoiceLine.service_type))).all()


def _load_invoices(invoice_ids) -> dict[int, Invoice]:
    """Invoices with everything the mapping reads, in a few queries for the whole group."""
    rows = db.session.scalars(
        select(Invoice).where(Invoice.id.in_(list(invoice_ids)))
        .options(joinedload(Invoice.batch), joinedload(Invoice.client), joinedload(Invoice.payer),
                 selectinload(Invoice.lines).joinedload(InvoiceLine.service_type),
                 undefer(Invoice.subtotal), undefer(Invoice.tax)))
    return {invoice.id: invoice for invoice in rows}


def map_one(invoice: Invoice, realm_id: str, settings: SyncSettings | None = None,
            refs: MappingRefs | None = None, lines=None, generation: int = 1) -> MappedInvoice:
    """Map and check: QBO total == agency total minus its tax, before anything is sent.

    `lines`: a correction's lines (issue 16) instead of the finalized ones. `generation` > 1: the
    invoice's earlier QuickBooks invoice was voided and keeps its number there, so this one is
    numbered "<DocNumber>-<generation>" (QuickBooks refuses a number in use, 6140)."""
    settings = settings or settings_for(realm_id)
    refs = refs or load_refs(realm_id, settings, [invoice.client_id])
    if lines is None:
        lines, subtotal, tax = invoice.lines, Decimal(invoice.subtotal), Decimal(invoice.tax)
    else:
        from services.corrections.revisions import totals

        subtotal, tax = totals(lines)
    mapped = build_qbo_invoice(invoice, lines, settings, refs, agency_subtotal=subtotal)
    expected = to_cents(subtotal)
    if to_cents(mapped.qbo_total) != expected:
        raise MappingError(f"QuickBooks total {mapped.qbo_total} ≠ agency total {to_cents(subtotal + tax)} "
                           f"minus tax {tax}")
    if generation > 1 and mapped.body.get("DocNumber"):
        mapped.body["DocNumber"] = doc_number_for(f"{mapped.body['DocNumber']}-{generation}", "")
    return mapped


def prepare_group(records: list[InvoiceExport], client=None) -> dict[int, Prepared | NotExportable]:
    """The engine's PrepareFn: each record's invoice mapped and checked, or why it cannot be.
    Settings and QBO refs are loaded once for the group; `client` (the engine's paced port)
    reads the company's tax settings if they are not cached yet."""
    if not records:
        return {}
    realm_id = records[0].realm_id
    invoices = _load_invoices(r.invoice_id for r in records)
    settings = settings_for(realm_id)
    qbo = getattr(client, "client", None)  # the QboClient inside the engine's ExportClient
    refs = load_refs(realm_id, settings, [i.client_id for i in invoices.values()],
                     (lambda: qbo) if qbo is not None else None)
    from services.corrections.revisions import latest_for

    corrected = latest_for(invoices)  # a corrected invoice exported again goes with its corrections
    answer: dict[int, Prepared | NotExportable] = {}
    for record in records:
        invoice = invoices.get(record.invoice_id)
        if invoice is None:
            answer[record.id] = NotExportable("The invoice no longer exists", code="missing")
            continue
        revision = corrected.get(invoice.id)
        try:
            mapped = map_one(invoice, realm_id, settings, refs,
                             lines=list(revision.lines) if revision is not None else None,
                             generation=record.generation or 1)
        except TaxSetupMissing as error:
            answer[record.id] = NotExportable(str(error), code=TAX_SETUP)
            continue
        except MappingError as error:
            answer[record.id] = NotExportable(str(error), code="mapping")
            continue
        body = mapped.body
        doc_number = body.get("DocNumber") or ""
        if doc_number and record.doc_number != doc_number:
            record.doc_number = doc_number
        answer[record.id] = Prepared(
            record_id=record.id, invoice_id=invoice.id, doc_number=doc_number,
            customer_id=str(body["CustomerRef"]["value"]), expected_total=mapped.qbo_total,
            body=body, request_id=record.request_id, attempts=record.attempts, job_id=record.job_id,
            user_id=record.requested_by_id, memo_marker=body.get("PrivateNote"),
            warnings=list(mapped.warnings))
    return answer


@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reason: str = ""
    customer_name: str = ""


def eligibility(invoices: list[Invoice], realm_id: str | None, settings: SyncSettings | None = None,
                customers: dict | None = None) -> dict[int, Eligibility]:
    """Per invoice: may it be ticked for export? (bill-to customer linked in this realm).
    A caller that already holds the settings and customer refs passes them (no second read)."""
    if not realm_id:
        return {i.id: Eligibility(False, "QuickBooks is not connected") for i in invoices}
    settings = settings or settings_for(realm_id)
    refs = customers if customers is not None else customer_refs(realm_id, [i.client_id for i in invoices])
    # A linked customer made inactive or deleted in QuickBooks needs a person first (issue 15).
    flagged = flagged_links(realm_id, [i.client_id for i in invoices])
    answer = {}
    mode = getattr(settings.payer_mode, "value", settings.payer_mode)
    for invoice in invoices:
        key = bill_to_key(invoice, settings, mode)
        ref = refs.get(key)
        if ref is not None and key in flagged:
            answer[invoice.id] = Eligibility(False, flagged[key].reason)
        elif ref is not None:
            answer[invoice.id] = Eligibility(True, customer_name=ref.name)
        elif key[0] == "client_under_payer":
            answer[invoice.id] = Eligibility(False, "Client not matched under this payer")
        else:
            answer[invoice.id] = Eligibility(False, "Client not matched to a QuickBooks customer")
    return answer
