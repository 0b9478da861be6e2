"""Caregivers' proposals, the ranked options of one row, and the Score and Why of a choice: the
matching engine over the Employees (for W-2 caregivers) or Vendors (for 1099 contractors) no
other caregiver is linked to. Computed once per list refresh; page views only read stored rows.
"""
from __future__ import annotations

from sqlalchemy import delete, func, select

from extensions import db
from models.caregivers import Caregiver, WorkerKind
from models.matching_state import MatchProposal, ProposalKind
from models.worker_matching import QboWorkerCopy, WorkerLink
from services.agency.offices import visible_office_ids
from services.caregiver_matching.workers import (copies_by_key, label_of, list_state, read_workers,
                                                 record_of, replace_copy, worker_index)
from services.client_matching.explaining import Explanation
from services.client_matching.proposals import declined_keys, proposal_row
from services.matching import ClientRecord, explain_pair, match_clients, rank_candidates

KIND = ProposalKind.CAREGIVER


def entity_for(caregiver: Caregiver) -> str:
    return "Vendor" if caregiver.kind == WorkerKind.CONTRACTOR else "Employee"


def caregiver_record(caregiver: Caregiver) -> ClientRecord:
    """A caregiver on the engine's person side (its code plays the client number's part)."""
    return ClientRecord(id=str(caregiver.id), first_name=caregiver.first_name,
                        last_name=caregiver.last_name, preferred_name=caregiver.preferred_name or "",
                        email=caregiver.email or "", phone=caregiver.phone or "",
                        active=caregiver.active, client_code=caregiver.code)


def linked_keys(realm_id: str) -> set[str]:
    return {link.target_id for link in db.session.scalars(select(WorkerLink).where(
        WorkerLink.realm_id == realm_id))}


def refresh_workers(qbo, realm_id: str):
    """Read every Employee and Vendor, replace the copy, re-propose once."""
    state = replace_copy(realm_id, read_workers(qbo))
    recompute_proposals(realm_id)
    db.session.commit()
    return state


def recompute_proposals(realm_id: str) -> None:
    """Propose a worker for every active, unlinked caregiver (declined marks survive)."""
    declined = declined_keys(realm_id)
    db.session.execute(delete(MatchProposal).where(MatchProposal.realm_id == realm_id,
                                                   MatchProposal.kind == KIND))
    linked = linked_keys(realm_id)
    linked_caregivers = select(WorkerLink.caregiver_id).where(WorkerLink.realm_id == realm_id)
    caregivers = db.session.scalars(select(Caregiver).where(
        Caregiver.active.is_(True), Caregiver.id.not_in(linked_caregivers)).order_by(Caregiver.id)).all()
    for entity in ("Employee", "Vendor"):
        mine = [c for c in caregivers if entity_for(c) == entity]
        if not mine:
            continue
        _, records = worker_index(realm_id, entity)
        free = [r for r in records.values() if r.id not in linked]
        for proposal in match_clients([caregiver_record(c) for c in mine], free):
            db.session.add(proposal_row(realm_id, KIND, proposal, declined=declined))
    db.session.flush()


def caregivers_without_proposal(realm_id: str) -> int:
    proposed = select(MatchProposal.subject_id).where(MatchProposal.realm_id == realm_id,
                                                      MatchProposal.kind == KIND)
    linked = select(WorkerLink.caregiver_id).where(WorkerLink.realm_id == realm_id)
    return db.session.scalar(select(func.count()).select_from(Caregiver).where(
        Caregiver.active.is_(True), Caregiver.id.not_in(linked), Caregiver.id.not_in(proposed)))


def candidates_for(realm_id: str, caregiver: Caregiver, query: str = "", limit: int = 15) -> list:
    """One row's drop-down options (key, label, note): the engine's ranking among the workers of
    the caregiver's list, or those whose name contains what was typed. Workers linked to another
    caregiver are never offered."""
    entity = entity_for(caregiver)
    own = db.session.scalar(select(WorkerLink).where(WorkerLink.realm_id == realm_id,
                                                     WorkerLink.caregiver_id == caregiver.id))
    blocked = linked_keys(realm_id) - {own.target_id if own else None}
    text = (query or "").strip().lower()
    if text:
        rows = db.session.scalars(select(QboWorkerCopy).where(
            QboWorkerCopy.realm_id == realm_id, QboWorkerCopy.entity == entity,
            func.lower(QboWorkerCopy.display_name).like(f"%{text}%"))
            .order_by(QboWorkerCopy.active.desc(), QboWorkerCopy.display_name).limit(limit + len(blocked)))
        return [(c.key, label_of(c), "") for c in rows if c.key not in blocked][:limit]
    index, _ = worker_index(realm_id, entity)
    ranked = [r for r in rank_candidates(caregiver_record(caregiver), index, limit=limit + len(blocked))
              if r[0] not in blocked][:limit]
    copies = copies_by_key(realm_id, [key for key, _, _ in ranked])
    return [(key, label_of(copies[key]), f"{score} · {why}") for key, score, why in ranked if key in copies]


def explain_choice(realm_id: str, caregiver: Caregiver, key: str, linked: bool = False) -> Explanation:
    """The Score and Why of the worker a person just chose for this caregiver."""
    if not key:
        return Explanation(None, "", "the link will be removed on Save" if linked
                           else "no employee or vendor chosen: nothing is linked")
    copy = copies_by_key(realm_id, [key]).get(key)
    if copy is None:
        return Explanation(None, "", "that employee or vendor is not in the list any more")
    index, records = worker_index(realm_id, copy.entity)
    score, status, why = explain_pair(caregiver_record(caregiver), records.get(key) or record_of(copy), index)
    if copy.entity != entity_for(caregiver):
        why = f"a {copy.entity.lower()} for a {caregiver.kind.label}; {why}"
    return Explanation(score, status, why)


def scoped_caregivers(user, office_id: int | None):
    """Active caregivers of the offices `user` may see."""
    stmt = select(Caregiver).where(Caregiver.active.is_(True),
                                   Caregiver.office_id.in_(visible_office_ids(user) or [-1]))
    return stmt.where(Caregiver.office_id == office_id) if office_id else stmt


__all__ = ["candidates_for", "caregiver_record", "entity_for", "explain_choice", "list_state",
           "recompute_proposals", "refresh_workers", "scoped_caregivers"]
