"""Saving Caregiver Matching: each row's choice (link, change, remove, or Add to QuickBooks) and
every automatic match, with Client Matching's Save rules (services/client_matching/saving.py):
unchanged rows cost nothing, each change commits on its own, "no worker" declines the proposal
so no later Save links it behind the person's back."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models._types import utcnow
from models.caregivers import Caregiver
from models.links import LinkSource
from models.matching_state import MatchProposal
from models.worker_matching import WorkerLink, split_worker_key
from services.caregiver_matching.proposals import KIND, scoped_caregivers
from services.caregiver_matching.workers import copies_by_key
from services.client_matching.links import decline_proposal
from services.client_matching.saving import Choice, SaveResult, apply_choice


def link_of(realm_id: str, caregiver_id: int) -> WorkerLink | None:
    return db.session.scalar(select(WorkerLink).where(WorkerLink.realm_id == realm_id,
                                                      WorkerLink.caregiver_id == caregiver_id))


def who(caregiver_id: int) -> str:
    caregiver = db.session.get(Caregiver, caregiver_id)
    return f"{caregiver.name} ({caregiver.code})" if caregiver else str(caregiver_id)


def set_worker_link(realm_id: str, caregiver_id: int, key: str, link: WorkerLink | None,
                    user_id: int | None, source: LinkSource | None = None) -> str | None:
    """Point the caregiver at the worker `key`; returns an error sentence, or None."""
    copy = copies_by_key(realm_id, [key]).get(key)
    if copy is None or split_worker_key(key) is None:
        return f"{who(caregiver_id)}: that employee or vendor is not in the list any more; refresh the list."
    holder = db.session.scalar(select(WorkerLink).where(
        WorkerLink.realm_id == realm_id, WorkerLink.entity == copy.entity, WorkerLink.qbo_id == copy.qbo_id))
    if holder is not None and holder is not link:
        return (f"{who(caregiver_id)} was not linked: “{copy.display_name}” is already linked to "
                f"{who(holder.caregiver_id)}. One QuickBooks {copy.entity.lower()} stands for one caregiver.")
    proposal = db.session.scalar(select(MatchProposal).where(
        MatchProposal.realm_id == realm_id, MatchProposal.kind == KIND, MatchProposal.subject_id == caregiver_id))
    proposed = proposal is not None and proposal.qbo_customer_id == key
    if source is None:
        source = LinkSource.AUTO if proposed and proposal.status == "auto" else LinkSource.MANUAL
    try:
        link = link or WorkerLink(realm_id=realm_id, caregiver_id=caregiver_id)
        db.session.add(link)
        link.entity, link.qbo_id, link.qbo_display_name = copy.entity, copy.qbo_id, copy.display_name
        link.source, link.score = source, proposal.score if proposed else None
        link.linked_by_id, link.linked_at = user_id, utcnow()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return (f"{who(caregiver_id)}: “{copy.display_name}” was just linked to another caregiver by "
                "someone else; nothing was changed for this row. Reload and choose again.")
    return None


def save_choices(realm_id: str, choices: list[Choice], user_id: int | None,
                 allowed_ids: set[int]) -> SaveResult:
    """Store each row's choice; Add to QuickBooks rows come back in `creations` (caregiver ids)."""
    result = SaveResult()
    for choice in choices:
        if choice.subject_id not in allowed_ids:
            result.errors.append("A row you may not change was ignored.")
            continue
        link = link_of(realm_id, choice.subject_id)
        wanted = (choice.customer_id or "").strip()
        if choice.add_to_qbo:
            if link is not None:
                result.notes.append(f"{who(choice.subject_id)} is already linked to "
                                    f"“{link.qbo_display_name}”; nothing was created.")
            else:
                result.creations.append(choice.subject_id)
            continue
        if not wanted:
            decline_proposal(realm_id, KIND, choice.subject_id, only_auto=link is None)
        errors_before = len(result.errors)
        apply_choice(result, link, wanted, lambda: set_worker_link(
            realm_id, choice.subject_id, wanted, link, user_id))
        if len(result.errors) > errors_before:
            result.failed.append(f"caregiver_{choice.subject_id}")
    db.session.commit()
    return result


def accept_all_auto(realm_id: str, user, skip=frozenset()) -> SaveResult:
    """Link every visible, unlinked caregiver whose proposal is `auto`, except rows decided in
    this Save."""
    result = SaveResult()
    visible = select(scoped_caregivers(user, None).subquery().c.id)
    linked = select(WorkerLink.caregiver_id).where(WorkerLink.realm_id == realm_id)
    for proposal in db.session.scalars(select(MatchProposal).where(
            MatchProposal.realm_id == realm_id, MatchProposal.kind == KIND, MatchProposal.status == "auto",
            MatchProposal.qbo_customer_id.is_not(None), MatchProposal.subject_id.in_(visible),
            MatchProposal.subject_id.not_in(linked)).order_by(MatchProposal.subject_id)).all():
        if proposal.subject_id in skip:
            continue
        error = set_worker_link(realm_id, proposal.subject_id, proposal.qbo_customer_id, None, user.id,
                                LinkSource.AUTO)
        if error:
            proposal.status = "review"   # no longer safe to pre-select
            db.session.commit()
            result.errors.append(error)
        else:
            result.linked += 1
    return result


def remove_link(realm_id: str, caregiver_id: int) -> bool:
    link = link_of(realm_id, caregiver_id)
    if link is None:
        return False
    db.session.delete(link)
    decline_proposal(realm_id, KIND, caregiver_id)
    db.session.commit()
    return True
