"""Proposals on arrival: Client Matching shows the engine's proposals the moment a person opens
it, without a Refresh press. The customer list is read from QuickBooks when it was never read or
is older than STALE_AFTER; otherwise the stored copy is used, and proposals are recomputed from it
only when some active, unlinked client has none yet (new clients since the last run).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exists, func, select

from extensions import db
from models._types import utcnow
from models.clients import Client
from models.links import LinkKind
from models.matching_state import MatchProposal, ProposalKind
from qbo.errors import QboError
from services.client_matching.customers import list_state
from services.client_matching.links import linked_subject_ids
from services.client_matching.proposals import recompute_proposals, refresh_customers
from services.qbo_connection.messages import plain_error

STALE_AFTER = timedelta(hours=12)   # a working day: customers added in QuickBooks since are read again


def clients_without_proposal(realm_id: str) -> int:
    """Active clients with neither a link nor a stored proposal in this realm."""
    proposed = exists().where(MatchProposal.realm_id == realm_id, MatchProposal.kind == ProposalKind.CLIENT,
                              MatchProposal.subject_id == Client.id)
    return db.session.scalar(select(func.count()).select_from(Client).where(
        Client.active.is_(True), Client.id.not_in(linked_subject_ids(realm_id, LinkKind.CLIENT)), ~proposed))


@dataclass(frozen=True)
class Arrival:
    problem: str = ""       # a plain sentence about what failed (the page shows what is stored)
    changed: bool = False   # proposals were (re)computed: counts read before are stale


def ensure_proposals(connect, realm_id: str, now=None, unproposed: int | None = None) -> Arrival:
    """Make the stored proposals current. `connect()` gives a QBO client, called only when
    needed. `unproposed`: how many clients in the page's view have no proposal, when the page
    has counted them already (its filter tabs do); otherwise every active client is checked."""
    state = list_state(realm_id)
    now = now or utcnow()
    if state is None or now - state.fetched_at > STALE_AFTER:
        try:
            refresh_customers(connect(), realm_id)
            return Arrival(changed=True)
        except QboError as error:
            db.session.rollback()
            reason = plain_error(error)
            if state is None:
                return Arrival(f"The customer list could not be read from QuickBooks, so nothing is proposed yet. {reason}")
            return Arrival(f"The customer list could not be refreshed; proposals use the copy read earlier. {reason}")
    if unproposed is None:
        unproposed = clients_without_proposal(realm_id)
    if unproposed:
        recompute_proposals(realm_id)
        db.session.commit()
        return Arrival(changed=True)
    return Arrival()
