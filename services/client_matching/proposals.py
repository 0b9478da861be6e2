"""Proposals: the engine's suggestion for every unlinked client, payer and pair (computed once per
refresh, never by a page view), and the ranked candidates of one row's drop-down.
"""
from __future__ import annotations

import json

from sqlalchemy import delete, func, select

from extensions import db
from models.clients import Client, Payer
from models.links import LinkKind
from models.matching_state import CustomerListState, MatchProposal, ProposalKind, QboCustomerCopy
from models.sync_settings import PayerMode
from services.client_matching.customers import (copies_by_id, customer_index, invalidate_index, label_of,
                                                 customer_records, replace_copy, sub_customers)
from services.client_matching.links import (DECLINED, link_kind, link_of, linked_customer_ids, linked_pairs,
                                            linked_subject_ids, payer_customer_ids)
from services.client_matching.subjects import client_record, creation_settings, pairs_subquery
from services.matching import match_clients, match_payers, rank_candidates


def refresh_customers(qbo, realm_id: str) -> CustomerListState:
    """Read every customer of the company (QBO pages of 1000), replace the copy, re-propose ONCE;
    page views only read stored rows."""
    state = replace_copy(realm_id, qbo.query_all("Customer", "Active IN (true, false)"))
    recompute_proposals(realm_id)
    db.session.commit()
    return state


def recompute_proposals(realm_id: str) -> None:
    """Propose a customer for every active, unlinked client and payer, among customers nobody
    is linked to yet, and for every (client, payer) pair of finalized invoices among that payer's
    sub-customers. Called on refresh (and by tests); pages never rematch.

    In PAYER_SUBCUSTOMER mode a sub-customer under a payer's customer (linked or proposed) stands
    for a client *under that payer*, so it is kept out of the clients' own matching."""
    invalidate_index(realm_id)
    linked = linked_customer_ids(realm_id)
    free = [r for r in customer_records(realm_id) if r.id not in linked]
    declined = declined_keys(realm_id)
    db.session.execute(delete(MatchProposal).where(  # caregivers' proposals are Caregiver Matching's
        MatchProposal.realm_id == realm_id, MatchProposal.kind != ProposalKind.CAREGIVER))
    linked_payers = linked_subject_ids(realm_id, LinkKind.PAYER)
    payers = db.session.scalars(select(Payer).where(
        Payer.active.is_(True), Payer.id.not_in(linked_payers)).order_by(Payer.id)).all()
    top_level = [r for r in free if not r.is_job]
    payer_proposals = match_payers([(str(p.id), p.name) for p in payers], top_level)
    for p in payer_proposals:
        db.session.add(proposal_row(realm_id, ProposalKind.PAYER, p, declined=declined))
    if creation_settings(realm_id).payer_mode == PayerMode.PAYER_SUBCUSTOMER:
        payer_customers = set(payer_customer_ids(realm_id).values()) | {
            p.customer_id for p in payer_proposals if p.customer_id}
        free = [r for r in free if not (r.is_job and r.parent_id in payer_customers)]
    linked_clients = linked_subject_ids(realm_id, LinkKind.CLIENT)
    clients = db.session.scalars(select(Client).where(
        Client.active.is_(True), Client.id.not_in(linked_clients)).order_by(Client.id)).all()
    for p in match_clients([client_record(c) for c in clients], free):
        db.session.add(proposal_row(realm_id, ProposalKind.CLIENT, p, declined=declined))
    db.session.flush()
    recompute_pair_proposals(realm_id)


def declined_keys(realm_id: str) -> set[tuple]:
    """(kind, subject, payer, customer) of the proposals a person said no to: kept through a recompute."""
    return set(db.session.execute(select(
        MatchProposal.kind, MatchProposal.subject_id, MatchProposal.payer_id, MatchProposal.qbo_customer_id)
        .where(MatchProposal.realm_id == realm_id, MatchProposal.status == DECLINED)).all())


def proposal_row(realm_id, kind, p, payer_id: int | None = None, declined=frozenset()) -> MatchProposal:
    status = DECLINED if (kind, int(p.client_id), payer_id, p.customer_id) in declined else p.status
    return MatchProposal(realm_id=realm_id, kind=kind, subject_id=int(p.client_id), payer_id=payer_id,
                         qbo_customer_id=p.customer_id, score=int(p.score), status=status,
                         reason=(p.reason or "")[:500],
                         alternatives=json.dumps([[a.customer_id, a.score, a.reason]
                                                  for a in p.alternatives][:10]))


def recompute_pair_proposals(realm_id: str, payer_ids=None) -> None:
    """Re-propose the unlinked pairs (of the given payers, or all): the engine runs per payer over
    that payer's free sub-customers only (their leaf name: "Payer:Smith, John" → "Smith, John").
    Also called when a payer gets linked, since its pairs could not be matched before."""
    declined = declined_keys(realm_id)
    stmt = delete(MatchProposal).where(MatchProposal.realm_id == realm_id,
                                       MatchProposal.kind == ProposalKind.PAIR)
    if payer_ids is not None:
        stmt = stmt.where(MatchProposal.payer_id.in_(list(payer_ids)))
    db.session.execute(stmt)
    parents = payer_customer_ids(realm_id)
    pairs = pairs_subquery()
    pairs_linked = linked_pairs(realm_id)
    by_payer: dict[int, list[Client]] = {}
    for client, payer_id in db.session.execute(
            select(Client, pairs.c.payer_id).join(pairs, pairs.c.client_id == Client.id)
            .order_by(pairs.c.payer_id, Client.id)):
        if (client.id, payer_id) not in pairs_linked and (payer_ids is None or payer_id in payer_ids):
            by_payer.setdefault(payer_id, []).append(client)
    linked = linked_customer_ids(realm_id)
    for payer_id, clients in by_payer.items():
        parent = parents.get(payer_id)
        if parent is None:
            continue   # "Match the payer first"
        subs = [r for r in sub_customers(realm_id, parent) if r.id not in linked]
        for p in match_clients([client_record(c) for c in clients], subs):
            db.session.add(proposal_row(realm_id, ProposalKind.PAIR, p, payer_id, declined=declined))
    db.session.flush()


def candidates_for(realm_id: str, kind: ProposalKind, subject_id: int, query: str = "",
                   limit: int = 15) -> list[tuple[str, str, str]]:
    """Options for one row's searchable drop-down: (customer id, label, note).

    With a query: customers whose name contains it (then ranked by the engine for clients).
    Without: the engine's ranking for this client. Linked-to-others customers are never offered."""
    linked = linked_customer_ids(realm_id)
    own_link = link_of(realm_id, link_kind(kind), subject_id)
    own = own_link.qbo_customer_id if own_link else None
    blocked = linked - {own}
    text = (query or "").strip()
    out: list[tuple[str, str, str]] = []
    if text:
        like = f"%{text.lower()}%"
        copies = db.session.scalars(select(QboCustomerCopy).where(
            QboCustomerCopy.realm_id == realm_id,
            func.lower(QboCustomerCopy.fully_qualified_name).like(like),
            QboCustomerCopy.qbo_id.not_in(blocked or {""}))
            .order_by(QboCustomerCopy.active.desc(), QboCustomerCopy.display_name).limit(limit)).all()
        return [(c.qbo_id, label_of(c), "") for c in copies]
    if kind == ProposalKind.CLIENT:
        client = db.session.get(Client, subject_id)
        if client is None:
            return []
        index, _ = customer_index(realm_id)
        ranked = rank_candidates(client_record(client), index, limit=limit + len(blocked))
        copies = copies_by_id(realm_id, [cid for cid, _, _ in ranked])
        for cid, score, why in ranked:
            if cid in blocked or cid not in copies:
                continue
            out.append((cid, label_of(copies[cid]), f"{score} · {why}"))
            if len(out) >= limit:
                break
        return out
    payer = db.session.get(Payer, subject_id)
    if payer is None:
        return []
    index, records = customer_index(realm_id)
    free = [r for r in records.values() if r.id not in blocked and not r.is_job]
    proposal = match_payers([(str(payer.id), payer.name)], free)[0]
    ranked = ([(proposal.customer_id, proposal.score, proposal.reason)] if proposal.customer_id else []) + \
        [(a.customer_id, a.score, a.reason) for a in proposal.alternatives]
    copies = copies_by_id(realm_id, [cid for cid, _, _ in ranked])
    return [(cid, label_of(copies[cid]), f"{s} · {why}") for cid, s, why in ranked if cid in copies][:limit]


def pair_candidates(realm_id: str, client_id: int, payer_id: int, query: str = "",
                    limit: int = 15) -> list[tuple[str, str, str]]:
    """The drop-down of one pair: sub-customers of the payer's customer only, never one linked
    to another record; ranked by the engine, or filtered by a typed name."""
    parent = payer_customer_ids(realm_id).get(payer_id)
    client = db.session.get(Client, client_id)
    if parent is None or client is None:
        return []
    linked = linked_customer_ids(realm_id)
    own_link = link_of(realm_id, LinkKind.CLIENT_UNDER_PAYER, client_id, payer_id)
    own = own_link.qbo_customer_id if own_link else None
    subs = [r for r in sub_customers(realm_id, parent) if r.id not in linked or r.id == own]
    copies = copies_by_id(realm_id, [r.id for r in subs])
    text = (query or "").strip().lower()
    if text:
        hits = [r for r in subs if text in (r.fully_qualified_name or r.display_name).lower()]
        return [(r.id, label_of(copies[r.id]), "") for r in hits if r.id in copies][:limit]
    ranked = rank_candidates(client_record(client), subs, limit=limit)
    return [(cid, label_of(copies[cid]), f"{score} · {why}") for cid, score, why in ranked if cid in copies]
