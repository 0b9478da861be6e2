"""One page of the Caregiver Matching table (Client Matching's Row, filters and counts), with
each row's link, proposal, pending Add to QuickBooks and starting drop-down options."""
from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from extensions import db
from models.caregivers import Caregiver
from models.matching_state import CreationStatus, MatchProposal
from models.worker_matching import WorkerCreation, WorkerLink
from services.caregiver_matching.proposals import KIND, linked_keys, scoped_caregivers
from services.caregiver_matching.workers import copies_by_key, label_of
from services.client_matching.table import Row, filter_state, state_counts
from services.pagination import Page, paginate


def caregiver_statement(realm_id: str, user, office_id, search, state):
    stmt = (scoped_caregivers(user, office_id)
            .outerjoin(WorkerLink, and_(WorkerLink.caregiver_id == Caregiver.id,
                                        WorkerLink.realm_id == realm_id))
            .outerjoin(MatchProposal, and_(MatchProposal.subject_id == Caregiver.id,
                                           MatchProposal.realm_id == realm_id, MatchProposal.kind == KIND)))
    text = (search or "").strip().lower()
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(func.lower(Caregiver.first_name + " " + Caregiver.last_name).like(like),
                              func.lower(Caregiver.last_name + ", " + Caregiver.first_name).like(like),
                              func.lower(Caregiver.code).like(like),
                              func.lower(func.coalesce(WorkerLink.qbo_display_name, "")).like(like)))
    return filter_state(stmt, WorkerLink.id, state).order_by(
        func.lower(Caregiver.last_name), func.lower(Caregiver.first_name), Caregiver.id)


def caregiver_rows(realm_id: str, user, *, office_id=None, search="", state="all", page=1,
                   per_page=50) -> tuple[Page, list[Row]]:
    result = paginate(caregiver_statement(realm_id, user, office_id, search, state), page, per_page)
    ids = [c.id for c in result.items]
    links = {l.caregiver_id: l for l in db.session.scalars(select(WorkerLink).where(
        WorkerLink.realm_id == realm_id, WorkerLink.caregiver_id.in_(ids)))}
    props = {p.subject_id: p for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.realm_id == realm_id, MatchProposal.kind == KIND, MatchProposal.subject_id.in_(ids)))}
    # The latest request per caregiver: an open one, or a done one whose name says why it differs.
    creations = {c.caregiver_id: c for c in db.session.scalars(select(WorkerCreation).where(
        WorkerCreation.realm_id == realm_id, WorkerCreation.caregiver_id.in_(ids),
        (WorkerCreation.status != CreationStatus.DONE) | (WorkerCreation.renamed_because != ""))
        .order_by(WorkerCreation.id))}
    rows = [Row(c, links.get(c.id), props.get(c.id), creations.get(c.id)) for c in result.items]
    fill_options(realm_id, rows)
    return result, rows


def fill_options(realm_id: str, rows: list[Row]) -> None:
    """The drop-down's starting options: the link, the proposal (a `review` one first, marked as
    the suggestion) and its alternatives; workers linked to another caregiver are left out."""
    wanted = set()
    for row in rows:
        if row.link:
            wanted.add(row.link.target_id)
        if row.proposal:
            wanted.add(row.proposal.qbo_customer_id)
            wanted.update(a[0] for a in row.proposal.alternative_list)
    copies = copies_by_key(realm_id, wanted)
    taken = linked_keys(realm_id) & set(copies)
    for row in rows:
        own = row.link.target_id if row.link else None
        options, seen = [], set()

        def add(key, note, prefix=""):
            if key and key not in seen and key in copies and (key not in taken or key == own):
                options.append((key, f"{prefix}{label_of(copies[key])}", note))
                seen.add(key)

        if row.link:
            add(own, "linked")
        if row.suggestion_id:
            add(row.suggestion_id, row.proposal.reason, prefix="Suggested: ")
        if row.proposal:
            add(row.proposal.qbo_customer_id, f"{row.proposal.score} · {row.proposal.reason}")
            for key, score, why in row.proposal.alternative_list:
                add(key, f"{score} · {why}")
        row.options = options


def keep_current_choice(realm_id: str, options: list, current: str) -> list:
    """Options with the worker already chosen in the form kept on top (a search that no longer
    finds it must not change the choice silently)."""
    if current and current not in {o[0] for o in options}:
        copy = copies_by_key(realm_id, [current]).get(current)
        if copy:
            options.insert(0, (current, label_of(copy), "current choice"))
    return options


def counts(realm_id: str, user, office_id=None) -> dict[str, int]:
    return state_counts(caregiver_statement(realm_id, user, office_id, "", "all"), WorkerLink.id)
