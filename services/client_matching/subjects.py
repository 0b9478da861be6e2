"""Who is being matched: the active clients a user may see, the (client, payer) pairs of
finalized invoices, their records for the engine, and the creation settings that decide them.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from extensions import db
from models.billing import BatchStatus, Invoice, InvoiceBatch
from models.clients import Client, Payer
from models.matching_state import ProposalKind
from models.sync_settings import NameFormat, PayerMode
from services.agency.offices import visible_office_ids
from services.matching import ClientRecord
from services.sync_settings import settings_for


@dataclass(frozen=True)
class CreationSettings:
    name_format: NameFormat = NameFormat.LAST_FIRST
    payer_mode: PayerMode = PayerMode.CLIENT


def creation_settings(realm_id: str | None) -> CreationSettings:
    if not realm_id:
        return CreationSettings()
    row = settings_for(realm_id)
    return CreationSettings(NameFormat(row.customer_name_format or NameFormat.LAST_FIRST),
                            PayerMode(row.payer_mode or PayerMode.CLIENT))


def scoped_clients(user, office_id: int | None):
    """Active clients of the offices `user` may see (Agency Users: their own offices only)."""
    stmt = select(Client).where(Client.active.is_(True))
    if not user.sees_all_offices:
        stmt = stmt.where(Client.office_id.in_(visible_office_ids(user) or [-1]))
    if office_id:
        stmt = stmt.where(Client.office_id == office_id)
    return stmt


def visible_client_ids(user, ids) -> set[int]:
    """The ids among `ids` of active clients `user` may see."""
    scoped = scoped_clients(user, None).subquery()
    return set(db.session.scalars(select(scoped.c.id).where(scoped.c.id.in_(list(ids)))))


def pairs_subquery():
    """Distinct (client_id, payer_id) on finalized invoices of active clients."""
    return (select(Invoice.client_id, Invoice.payer_id).distinct()
            .join(InvoiceBatch, InvoiceBatch.id == Invoice.batch_id)
            .join(Client, Client.id == Invoice.client_id)
            .where(InvoiceBatch.status == BatchStatus.FINALIZED, Invoice.payer_id.is_not(None),
                   Client.active.is_(True))).subquery()


def client_record(c: Client) -> ClientRecord:
    return ClientRecord(id=str(c.id), first_name=c.first_name, middle_name=c.middle_name or "",
                        last_name=c.last_name, suffix=c.suffix or "",
                        preferred_name=c.preferred_name or "", email=c.email or "",
                        phone=c.phone or "", address_line1=c.address_line1 or "", city=c.city or "",
                        state=c.state or "", postal_code=c.postal_code or "", active=c.active,
                        client_code=c.code or "")


def subject_name(kind: ProposalKind, subject_id: int) -> str:
    if kind == ProposalKind.PAYER:
        payer = db.session.get(Payer, subject_id)
        return payer.name if payer else str(subject_id)
    client = db.session.get(Client, subject_id)
    if client is None:
        return str(subject_id)
    # The number and office tell two clients of one name apart (the demo's two James Millers).
    office = f", {client.office.name}" if client.office else ""
    return f"{client.full_name} ({client.code}{office})"
