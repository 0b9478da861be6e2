"""Figures for the home page, scoped to the offices the user may see."""
from __future__ import annotations

from sqlalchemy import func, select

from extensions import db
from models import BatchStatus, Client, Invoice, InvoiceBatch
from services.agency.offices import visible_office_ids


def summary_for(user) -> dict:
    office_ids = visible_office_ids(user)
    active_clients = db.session.scalar(
        select(func.count()).select_from(Client)
        .where(Client.active.is_(True), Client.office_id.in_(office_ids))
    )
    finalized_batches = db.session.scalar(
        select(func.count()).select_from(InvoiceBatch)
        .where(InvoiceBatch.status == BatchStatus.FINALIZED, InvoiceBatch.office_id.in_(office_ids))
    )
    invoices = db.session.scalar(
        select(func.count()).select_from(Invoice).join(InvoiceBatch)
        .where(InvoiceBatch.office_id.in_(office_ids))
    )
    return {"active_clients": active_clients, "finalized_batches": finalized_batches,
            "invoices": invoices, "office_count": len(office_ids)}
