"""The visits of a batch that can become time in QuickBooks, and which may be ticked now.

A visit is a service line with a caregiver and a date. It may be exported when its caregiver is
matched to an Employee or Vendor and its invoice's customer (the same one the invoice bills) is
matched in this company.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from extensions import db
from models import Invoice, InvoiceLine, LineKind
from models.export import ExportStatus, InvoiceExport
from models.worker_matching import WorkerLink
from services.export.prepare import bill_to_key, customer_refs
from services.mapping.invoice import Ref
from services.sync_settings import settings_for
from services.time_export.mapping import WorkerRef


def batch_visits(batch_id: int) -> list[InvoiceLine]:
    """The batch's visits, in invoice and line order, with what the page and mapping read."""
    return list(db.session.scalars(
        select(InvoiceLine).join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.batch_id == batch_id, InvoiceLine.kind == LineKind.SERVICE,
               InvoiceLine.caregiver_id.is_not(None), InvoiceLine.service_date.is_not(None))
        .options(joinedload(InvoiceLine.invoice).joinedload(Invoice.client),
                 joinedload(InvoiceLine.caregiver), joinedload(InvoiceLine.service_type))
        .order_by(Invoice.number, InvoiceLine.position, InvoiceLine.id)))


def worker_refs(realm_id: str, caregiver_ids) -> dict[int, WorkerRef]:
    return {link.caregiver_id: WorkerRef(link.entity, link.qbo_id, link.qbo_display_name)
            for link in db.session.scalars(select(WorkerLink).where(
                WorkerLink.realm_id == realm_id, WorkerLink.caregiver_id.in_(list(set(caregiver_ids)))))}


def invoices_in_quickbooks(realm_id: str, invoice_ids) -> set[int]:
    return set(db.session.scalars(select(InvoiceExport.invoice_id).where(
        InvoiceExport.realm_id == realm_id, InvoiceExport.status == ExportStatus.EXPORTED,
        InvoiceExport.invoice_id.in_(list(set(invoice_ids))))))


@dataclass(frozen=True)
class VisitRefs:
    """Everything a group of visits refers to, read once for the group."""
    workers: dict[int, WorkerRef]
    customers: dict[tuple, Ref]
    billed_invoices: set[int]
    settings: object

    def customer_for(self, line: InvoiceLine) -> Ref | None:
        return self.customers.get(bill_to_key(line.invoice, self.settings))


def load_visit_refs(realm_id: str, lines: list[InvoiceLine]) -> VisitRefs:
    return VisitRefs(workers=worker_refs(realm_id, [l.caregiver_id for l in lines]),
                     customers=customer_refs(realm_id, [l.invoice.client_id for l in lines]),
                     billed_invoices=invoices_in_quickbooks(realm_id, [l.invoice_id for l in lines]),
                     settings=settings_for(realm_id))


def why_not(line: InvoiceLine, refs: VisitRefs) -> str:
    """"" when the visit may be exported; otherwise the reason, in plain words."""
    if line.caregiver_id not in refs.workers:
        return "Caregiver not matched to a QuickBooks employee or vendor"
    if refs.customer_for(line) is None:
        return "Client not matched to a QuickBooks customer"
    return ""
