"""CustomerLink rows: the named look-ups (one realm filter, here only), and setting, changing or
removing a link; the database's unique constraints are the last word on "one customer, one record".
"""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from extensions import db
from models._types import utcnow
from models.links import CustomerLink, LinkKind, LinkSource
from models.matching_state import MatchProposal, ProposalKind, QboCustomerCopy
from services.client_matching.subjects import subject_name


def realm_links(realm_id: str, kind: LinkKind | None = None):
    """A select of the realm's links (of one kind): the one place the realm filter is written."""
    statement = select(CustomerLink).where(CustomerLink.realm_id == realm_id)
    return statement if kind is None else statement.where(CustomerLink.kind == kind)


def link_of(realm_id: str, kind: LinkKind, subject_id: int, payer_id: int | None = None) -> CustomerLink | None:
    """The link of one client, payer, or (client, payer) pair."""
    statement = realm_links(realm_id, kind)
    if kind == LinkKind.PAYER:
        statement = statement.where(CustomerLink.payer_id == subject_id)
    else:
        statement = statement.where(CustomerLink.client_id == subject_id)
    if kind == LinkKind.CLIENT_UNDER_PAYER:
        statement = statement.where(CustomerLink.payer_id == payer_id)
    return db.session.scalar(statement)


def subject_column(kind: LinkKind):
    """The column a link of `kind` names its subject by (pairs: the client; the payer is extra)."""
    return CustomerLink.payer_id if kind == LinkKind.PAYER else CustomerLink.client_id


def linked_subject_ids(realm_id: str, kind: LinkKind):
    """A subquery of the ids of clients (or payers) that have a link of `kind`."""
    return realm_links(realm_id, kind).with_only_columns(subject_column(kind))


def linked_pairs(realm_id: str) -> set[tuple[int, int]]:
    """(client id, payer id) of every linked pair."""
    return set(db.session.execute(realm_links(realm_id, LinkKind.CLIENT_UNDER_PAYER).with_only_columns(
        CustomerLink.client_id, CustomerLink.payer_id)).all())


def links_by_subject(realm_id: str, kind: LinkKind, client_or_payer_ids) -> dict:
    """Links of `kind` of the given subjects, keyed by subject id (pairs: by (client, payer))."""
    found = db.session.scalars(realm_links(realm_id, kind).where(
        subject_column(kind).in_(list(client_or_payer_ids))))
    if kind == LinkKind.CLIENT_UNDER_PAYER:
        return {(link.client_id, link.payer_id): link for link in found}
    return {getattr(link, subject_column(kind).key): link for link in found}


def holder_of(realm_id: str, customer_id: str) -> CustomerLink | None:
    """The link that holds this QuickBooks customer (one customer stands for one record)."""
    return db.session.scalar(realm_links(realm_id).where(CustomerLink.qbo_customer_id == customer_id))


def linked_customer_ids(realm_id: str, among=None) -> set[str]:
    """QuickBooks customer ids already linked to a record (only those `among`, when given)."""
    statement = realm_links(realm_id).with_only_columns(CustomerLink.qbo_customer_id)
    if among is not None:
        statement = statement.where(CustomerLink.qbo_customer_id.in_(list(among)))
    return set(db.session.scalars(statement))


def payer_customer_ids(realm_id: str) -> dict[int, str]:
    """payer id -> the QBO customer id it is linked to."""
    return {pid: cid for pid, cid in db.session.execute(
        realm_links(realm_id, LinkKind.PAYER).with_only_columns(CustomerLink.payer_id,
                                                               CustomerLink.qbo_customer_id))}


def link_kind(kind: ProposalKind) -> LinkKind:
    return LinkKind.PAYER if kind == ProposalKind.PAYER else LinkKind.CLIENT


def pair_link(realm_id: str, client_id: int, payer_id: int) -> CustomerLink | None:
    return link_of(realm_id, LinkKind.CLIENT_UNDER_PAYER, client_id, payer_id)


def candidates_own_link(realm_id: str, kind: ProposalKind, subject_id: int) -> bool:
    """Whether this client / payer row has a saved link (its empty option then removes it)."""
    return link_of(realm_id, link_kind(kind), subject_id) is not None


class Refusal(str):
    """A refused row's sentence that also points at the fix: the search (`fix_query`) that shows
    the record already holding the customer, where its link can be removed."""
    fix_query: str = ""
    fix_label: str = ""

    def __new__(cls, text: str, fix_query: str = "", fix_label: str = ""):
        refusal = super().__new__(cls, text)
        refusal.fix_query, refusal.fix_label = fix_query, fix_label
        return refusal


def holder_search(link: CustomerLink) -> tuple[str, str]:
    """(search text, link text) that show the holder of a customer on Client Matching."""
    if link.client:
        return link.client.code, f"Show {link.client.full_name} ({link.client.code})"
    if link.payer:
        return link.payer.name, f"Show {link.payer.name}"
    return "", ""


def holder_name(link: CustomerLink) -> str:
    if link.kind == LinkKind.PAYER and link.payer:
        return f"the payer {link.payer.name}"
    if link.kind == LinkKind.CLIENT_UNDER_PAYER and link.client and link.payer:
        return f"the client {link.client.full_name} ({link.client.code}) under {link.payer.name}"
    if link.client:
        return f"the client {link.client.full_name} ({link.client.code})"
    return "another record"


def set_link(realm_id, kind, lk, subject_id, customer_id, link, user_id, source=None,
              payer_id: int | None = None) -> str | None:
    """`payer_id` only for CLIENT_UNDER_PAYER links (subject_id is then the client)."""
    copy = db.session.scalar(select(QboCustomerCopy).where(
        QboCustomerCopy.realm_id == realm_id, QboCustomerCopy.qbo_id == customer_id))
    who = subject_name(kind, subject_id)
    if payer_id is not None:
        who += f" under {subject_name(ProposalKind.PAYER, payer_id)}"
    if copy is None:
        return f"{who}: that QuickBooks customer is not in the list any more; refresh the customers."
    holder = holder_of(realm_id, customer_id)
    if holder is not None and holder is not link:
        return Refusal(f"{who} was not linked: “{copy.display_name}” is already linked to "
                       f"{holder_name(holder)}. One QuickBooks customer can stand for only one record.",
                       *holder_search(holder))
    proposal = db.session.scalar(select(MatchProposal).where(
        MatchProposal.realm_id == realm_id, MatchProposal.kind == kind,
        MatchProposal.subject_id == subject_id,
        MatchProposal.payer_id.is_(None) if payer_id is None else MatchProposal.payer_id == payer_id))
    if source is None:
        is_auto = proposal is not None and proposal.status == "auto" and proposal.qbo_customer_id == customer_id
        source = LinkSource.AUTO if is_auto else LinkSource.MANUAL
    score = proposal.score if proposal is not None and proposal.qbo_customer_id == customer_id else None
    try:
        if link is None:
            link = CustomerLink(realm_id=realm_id, kind=lk,
                                client_id=None if lk == LinkKind.PAYER else subject_id,
                                payer_id=subject_id if lk == LinkKind.PAYER else payer_id)
            db.session.add(link)
        link.qbo_customer_id, link.qbo_display_name = customer_id, copy.display_name
        link.source, link.score, link.linked_by_id, link.linked_at = source, score, user_id, utcnow()
        db.session.commit()
    except IntegrityError:
        # Someone else linked the same customer (or this record) between our check and commit.
        db.session.rollback()
        return (f"{who}: “{copy.display_name}” was just linked to another record by someone else; "
                "nothing was changed for this row. Reload and choose again.")
    return None


DECLINED = "declined"   # a proposal the person said no to: shown to review, never saved by itself


def decline_proposal(realm_id: str, kind: ProposalKind, subject_id: int, payer_id: int | None = None,
                     only_auto: bool = False) -> None:
    """The person chose "no customer" for this row (or removed its link): its proposal stops
    being `auto`, so no later Save (or refresh: recompute keeps the mark) links it behind their back."""
    statement = update(MatchProposal).where(
        MatchProposal.realm_id == realm_id, MatchProposal.kind == kind, MatchProposal.subject_id == subject_id,
        MatchProposal.payer_id.is_(None) if payer_id is None else MatchProposal.payer_id == payer_id,
        MatchProposal.qbo_customer_id.is_not(None))
    if only_auto:
        statement = statement.where(MatchProposal.status == "auto")
    db.session.execute(statement.values(status=DECLINED))


def remove_link(realm_id: str, kind: ProposalKind, subject_id: int) -> bool:
    link = link_of(realm_id, link_kind(kind), subject_id)
    if link is None:
        return False
    db.session.delete(link)
    decline_proposal(realm_id, kind, subject_id)
    db.session.commit()
    return True


def remove_pair_link(realm_id: str, client_id: int, payer_id: int) -> bool:
    link = pair_link(realm_id, client_id, payer_id)
    if link is None:
        return False
    db.session.delete(link)
    decline_proposal(realm_id, ProposalKind.PAIR, client_id, payer_id)
    db.session.commit()
    return True
