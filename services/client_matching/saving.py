"""Saving the table: each row's choice (link, change, remove, or ask to add it to QuickBooks),
the pairs' variant, and "accept every auto match". Each change commits on its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models._types import utcnow
from models.clients import Client, Payer
from models.links import CustomerLink, LinkKind, LinkSource
from models.matching_state import MatchProposal, ProposalKind, QboCustomerCopy
from models.sync_settings import NameFormat, PayerMode
from services.client_matching.creation import CreationRequest
from services.client_matching.customers import copies_by_id
from services.client_matching.links import (Refusal, decline_proposal, holder_name, holder_of, holder_search,
                                            link_kind, link_of, linked_pairs, linked_subject_ids,
                                            payer_customer_ids, realm_links, set_link)
from services.mapping.customer import DISPLAY_NAME_MAX, clean_name, client_display_name
from services.client_matching.subjects import creation_settings, scoped_clients, subject_name


@dataclass
class Choice:
    """One row of a Save: link to `customer_id` ("" = no customer), or ask to create one."""
    subject_id: int
    customer_id: str = ""
    add_to_qbo: bool = False


@dataclass
class PairChoice:
    client_id: int
    payer_id: int
    customer_id: str = ""
    add_to_qbo: bool = False


@dataclass
class SaveResult:
    linked: int = 0
    changed: int = 0
    removed: int = 0
    creations: list = field(default_factory=list)     # CreationRequest, for customer_creation
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)   # rows not saved ("client_5", "pair_5_2"): kept on screen


def save_choices(realm_id: str, kind: ProposalKind, choices: list[Choice], user_id: int | None,
                 allowed_subject_ids: set[int] | None = None) -> SaveResult:
    """Store each row's choice. Unchanged rows cost nothing; each change commits on its own so a
    race lost on one row (the unique constraint) leaves the others saved."""
    result = SaveResult()
    lk = link_kind(kind)
    for choice in choices:
        if allowed_subject_ids is not None and choice.subject_id not in allowed_subject_ids:
            result.errors.append("A row you may not change was ignored.")
            continue
        link = link_of(realm_id, lk, choice.subject_id)
        wanted = (choice.customer_id or "").strip()
        if choice.add_to_qbo:
            if link is not None:   # e.g. Save pressed twice: the first one created and linked it
                result.notes.append(f"{subject_name(kind, choice.subject_id)} is already linked "
                                    f"to “{link.qbo_display_name}”; nothing was created.")
                continue
            # "Add to QuickBooks" wins over a pre-selected proposal.
            result.creations.append(CreationRequest(
                kind=lk, client_id=choice.subject_id if lk == LinkKind.CLIENT else None,
                payer_id=choice.subject_id if lk == LinkKind.PAYER else None))
            continue
        if not wanted:   # "no customer": the proposal is not saved by a later Save either
            decline_proposal(realm_id, kind, choice.subject_id, only_auto=link is None)
        errors_before = len(result.errors)
        apply_choice(result, link, wanted,
                      lambda: set_link(realm_id, kind, lk, choice.subject_id, wanted, link, user_id))
        if len(result.errors) > errors_before:
            result.failed.append(f"{kind.value}_{choice.subject_id}")
    return result


def apply_choice(result: SaveResult, link: CustomerLink | None, wanted: str, set_link) -> None:
    """The common end of a Save row: keep the link, remove it (no customer chosen), or point it at
    `wanted` through `set_link()` (which returns an error sentence or None), counting what changed."""
    if link and link.target_id == wanted:
        return
    if not wanted:
        if link:
            db.session.delete(link)
            db.session.commit()
            result.removed += 1
        return
    error = set_link()
    if error:
        result.errors.append(error)
    elif link:
        result.changed += 1
    else:
        result.linked += 1


def save_pair_choices(realm_id: str, choices: list[PairChoice], user_id: int | None,
                      allowed_client_ids: set[int] | None = None) -> SaveResult:
    """Like save_choices, for the "Clients under payers" rows. A chosen customer must be a
    sub-customer of the payer's linked customer (otherwise the invoice would bill another payer)."""
    result = SaveResult()
    parents = payer_customer_ids(realm_id)
    fmt = creation_settings(realm_id).name_format
    for choice in choices:
        if allowed_client_ids is not None and choice.client_id not in allowed_client_ids:
            result.errors.append("A row you may not change was ignored.")
            continue
        client, payer = db.session.get(Client, choice.client_id), db.session.get(Payer, choice.payer_id)
        if client is None or payer is None:
            continue
        who = f"{client.full_name} under {payer.name}"
        parent = parents.get(choice.payer_id)
        link = link_of(realm_id, LinkKind.CLIENT_UNDER_PAYER, choice.client_id, choice.payer_id)
        wanted = (choice.customer_id or "").strip()
        if parent is None and not choice.add_to_qbo:
            continue   # "Match the payer first": the row had no drop-down; keep any old link
        if choice.add_to_qbo:
            if link is not None:
                result.notes.append(f"{who} is already linked to “{link.qbo_display_name}”; nothing was created.")
            elif parent is None:
                result.errors.append(f"{who}: match the payer first.")
            else:
                result.creations.append(CreationRequest(
                    kind=LinkKind.CLIENT_UNDER_PAYER, client_id=client.id, payer_id=payer.id,
                    parent_qbo_id=parent, display_name=pair_display_name(realm_id, client, payer, fmt)))
            continue

        def link_sub_customer():  # called at once by apply_choice, so the loop's values are current
            copy = copies_by_id(realm_id, [wanted]).get(wanted)
            if parent is None or copy is None or copy.parent_qbo_id != parent:
                return f"{who}: choose a sub-customer of the payer's QuickBooks customer."
            return set_link(realm_id, ProposalKind.PAIR, LinkKind.CLIENT_UNDER_PAYER, client.id, wanted,
                             link, user_id, payer_id=payer.id)

        if not wanted:
            decline_proposal(realm_id, ProposalKind.PAIR, client.id, payer.id, only_auto=link is None)
        errors_before = len(result.errors)
        apply_choice(result, link, wanted, link_sub_customer)
        if len(result.errors) > errors_before:
            result.failed.append(f"pair_{choice.client_id}_{choice.payer_id}")
    return result


def pair_display_name(realm_id: str, client: Client, payer: Payer, name_format: NameFormat) -> str | None:
    """The DisplayName for a new sub-customer, or None for the plain name format. QBO wants
    DisplayName unique across ALL customers (sub-customers too), so when the client's plain name is
    already taken in the company (typically by their own top-level customer) the payer's name is
    added: "Smith, John (Sunrise LTC)". A vendor or employee holding it still gives 6240, and the
    usual choice (link / create with a suffix) follows."""
    plain = client_display_name(client, name_format)
    taken = db.session.scalar(select(QboCustomerCopy.id).where(
        QboCustomerCopy.realm_id == realm_id,
        func.lower(QboCustomerCopy.display_name) == plain.lower()).limit(1))
    if taken is None:
        return None
    return clean_name(f"{plain} ({payer.name})", DISPLAY_NAME_MAX)


def accept_all_auto(realm_id: str, user, office_id: int | None = None, *, skip_clients=frozenset(),
                    skip_payers=frozenset(), skip_pairs=frozenset(), with_payers: bool = False) -> SaveResult:
    """Link every visible, unlinked client whose proposal is `auto` (safe to pre-select), except
    the rows a person decided otherwise in this Save (`skip_*`). With `with_payers` (Save), payers'
    `auto` proposals too, and the pairs those payers make matchable are proposed before linking."""
    result = SaveResult()
    visible = select(scoped_clients(user, office_id).subquery().c.id)
    linked_clients = linked_subject_ids(realm_id, LinkKind.CLIENT)
    proposals = db.session.scalars(select(MatchProposal).where(
        MatchProposal.realm_id == realm_id, MatchProposal.kind == ProposalKind.CLIENT,
        MatchProposal.status == "auto", MatchProposal.qbo_customer_id.is_not(None),
        MatchProposal.subject_id.in_(visible), MatchProposal.subject_id.not_in(linked_clients))
        .order_by(MatchProposal.subject_id)).all()
    _link_clients_in_bulk(realm_id, [p for p in proposals if p.subject_id not in skip_clients],
                          user.id, result)
    subcustomers = creation_settings(realm_id).payer_mode == PayerMode.PAYER_SUBCUSTOMER
    if with_payers and subcustomers and _link_auto_payers(realm_id, user.id, skip_payers, result):
        from services.client_matching.proposals import recompute_pair_proposals

        recompute_pair_proposals(realm_id)
        db.session.commit()
    if subcustomers:
        pairs_linked = linked_pairs(realm_id)
        for p in db.session.scalars(select(MatchProposal).where(
                MatchProposal.realm_id == realm_id, MatchProposal.kind == ProposalKind.PAIR,
                MatchProposal.status == "auto", MatchProposal.qbo_customer_id.is_not(None),
                MatchProposal.subject_id.in_(visible)).order_by(MatchProposal.subject_id)).all():
            if (p.subject_id, p.payer_id) in pairs_linked or (p.subject_id, p.payer_id) in skip_pairs:
                continue
            error = set_link(realm_id, ProposalKind.PAIR, LinkKind.CLIENT_UNDER_PAYER, p.subject_id,
                              p.qbo_customer_id, None, user.id, LinkSource.AUTO, payer_id=p.payer_id)
            if error:
                result.errors.append(error)
            else:
                result.linked += 1
    return result


def _taken_refusal(realm_id: str, proposal: MatchProposal, copy: QboCustomerCopy) -> str:
    """An automatic match whose customer someone linked to another record meanwhile: said once,
    naming both records, and the proposal goes to To review (it is no longer safe to pre-select)."""
    proposal.status = "review"
    holder = holder_of(realm_id, proposal.qbo_customer_id)
    who = subject_name(ProposalKind.CLIENT, proposal.subject_id)
    if holder is None:
        return f"{who} was not linked: “{copy.display_name}” was just linked to another record."
    return Refusal(f"{who} was not linked: “{copy.display_name}” is already linked to {holder_name(holder)}. "
                   "The row is now under To review.", *holder_search(holder))


def _link_auto_payers(realm_id: str, user_id: int | None, skip: set[int], result: SaveResult) -> int:
    """Link the unlinked payers whose proposal is `auto`; returns how many were linked."""
    linked_payers = linked_subject_ids(realm_id, LinkKind.PAYER)
    done = 0
    for p in db.session.scalars(select(MatchProposal).where(
            MatchProposal.realm_id == realm_id, MatchProposal.kind == ProposalKind.PAYER,
            MatchProposal.status == "auto", MatchProposal.qbo_customer_id.is_not(None),
            MatchProposal.subject_id.not_in(linked_payers)).order_by(MatchProposal.subject_id)).all():
        if p.subject_id in skip:
            continue
        error = set_link(realm_id, ProposalKind.PAYER, LinkKind.PAYER, p.subject_id, p.qbo_customer_id,
                         None, user_id, LinkSource.AUTO)
        if error:
            result.errors.append(error)
        else:
            done += 1
    result.linked += done
    return done


def _link_clients_in_bulk(realm_id: str, proposals: list[MatchProposal], user_id: int | None,
                          result: SaveResult) -> None:
    """Accept many client proposals in one transaction (5,000 one-commit-each links took over a
    minute). The checks set_link makes per row are made here for all rows with a few reads; if
    someone else links one of these customers meanwhile, the unique constraint refuses the
    transaction and every row is redone one by one, so that race costs only its own row."""
    if not proposals:
        return
    wanted_ids = {p.qbo_customer_id for p in proposals}
    copies = {copy.qbo_id: copy for copy in db.session.scalars(select(QboCustomerCopy).where(
        QboCustomerCopy.realm_id == realm_id, QboCustomerCopy.qbo_id.in_(wanted_ids)))}
    held = set(db.session.scalars(realm_links(realm_id).with_only_columns(
        CustomerLink.qbo_customer_id).where(CustomerLink.qbo_customer_id.in_(wanted_ids))))
    names = {client.id: client.full_name for client in db.session.scalars(
        select(Client).where(Client.id.in_([p.subject_id for p in proposals])))}
    now, added = utcnow(), []
    for p in proposals:
        copy = copies.get(p.qbo_customer_id)
        who = names.get(p.subject_id, str(p.subject_id))
        if copy is None:
            result.errors.append(f"{who}: that QuickBooks customer is not in the list any more; "
                                 "refresh the customers.")
        elif p.qbo_customer_id in held:
            result.errors.append(_taken_refusal(realm_id, p, copy))
        else:
            held.add(p.qbo_customer_id)
            added.append(dict(realm_id=realm_id, kind=LinkKind.CLIENT, client_id=p.subject_id,
                              payer_id=None, qbo_customer_id=p.qbo_customer_id,
                              qbo_display_name=copy.display_name, source=LinkSource.AUTO,
                              score=p.score, linked_by_id=user_id, linked_at=now))
    if not added:
        db.session.commit()   # the proposals demoted to review
        return
    try:
        db.session.execute(insert(CustomerLink), added)   # one executemany
        db.session.commit()
        result.linked += len(added)
    except IntegrityError:
        db.session.rollback()
        for link in added:
            error = set_link(realm_id, ProposalKind.CLIENT, LinkKind.CLIENT, link["client_id"],
                             link["qbo_customer_id"], None, user_id, LinkSource.AUTO)
            if error:
                result.errors.append(error)
            else:
                result.linked += 1
