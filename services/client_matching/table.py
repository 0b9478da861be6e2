"""The Client Matching table: one page of client, payer or pair rows with each row's link,
proposal, pending creation and starting drop-down options, and the filter counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select

from extensions import db
from models.clients import Client, Payer
from models.links import CustomerLink, LinkKind
from models.matching_state import CreationStatus, MatchProposal, PendingCreation, ProposalKind
from services.client_matching.qbo_changes import attention_for
from services.client_matching.customers import copies_by_id, label_of
from services.client_matching.links import linked_customer_ids, links_by_subject, payer_customer_ids
from services.client_matching.subjects import pairs_subquery, scoped_clients
from services.pagination import Page, paginate


FILTERS = ("all", "unmatched", "review", "auto", "matched")


FILTER_LABELS = {"all": "All", "unmatched": "Unmatched", "review": "To review",
                 "auto": "Auto match, not saved", "matched": "Matched"}


@dataclass
class Row:
    """One row of a matching table: a client, payer or pair here, a caregiver on Caregiver Matching
    (services/caregiver_matching/). `link` is a CustomerLink or a WorkerLink (both name their
    QuickBooks side by `target_id`); the proposal's `qbo_customer_id` holds the same kind of id."""
    subject: object
    link: object | None
    proposal: MatchProposal | None
    creation: PendingCreation | None
    options: list[tuple[str, str, str]] = field(default_factory=list)  # (id, label, note)
    payer: Payer | None = None            # "Clients under payers" rows: the payer of the pair
    parent_id: str | None = None          # ...and the payer's linked QBO customer (None: not yet)
    parent_label: str = ""
    attention: str = ""                   # its QuickBooks customer is inactive or gone (qbo_changes.py)

    @property
    def proposed(self) -> bool:
        return self.link is None and self.proposal is not None and bool(self.proposal.qbo_customer_id)

    @property
    def selected_id(self) -> str:
        """What the drop-down holds when the page opens (and so what an untouched Save stores):
        the saved link, else an `auto` proposal. A `review` proposal is only suggested."""
        if self.link:
            return self.link.target_id
        if self.proposed and self.proposal.status == "auto":
            return self.proposal.qbo_customer_id
        return ""

    @property
    def suggestion_id(self) -> str:
        """The `review` proposal a person confirms by choosing it ("Use suggestion")."""
        if self.proposed and self.proposal.status != "auto":
            return self.proposal.qbo_customer_id
        return ""

    @property
    def state(self) -> str:
        if self.link:
            return "matched"
        if self.proposed:
            return "auto" if self.proposal.status == "auto" else "review"
        return "unmatched"


def client_statement(realm_id: str, user, office_id, search, state):
    link_join = and_(CustomerLink.client_id == Client.id, CustomerLink.realm_id == realm_id,
                     CustomerLink.kind == LinkKind.CLIENT)
    prop_join = and_(MatchProposal.subject_id == Client.id, MatchProposal.realm_id == realm_id,
                     MatchProposal.kind == ProposalKind.CLIENT)
    stmt = (scoped_clients(user, office_id)
            .outerjoin(CustomerLink, link_join).outerjoin(MatchProposal, prop_join))
    text = (search or "").strip()
    if text:
        like = f"%{text.lower()}%"
        stmt = stmt.where(or_(func.lower(Client.first_name + " " + Client.last_name).like(like),
                              func.lower(Client.last_name + ", " + Client.first_name).like(like),
                              func.lower(Client.code).like(like),
                              func.lower(func.coalesce(CustomerLink.qbo_display_name, "")).like(like)))
    return filter_state(stmt, CustomerLink.id, state).order_by(
        func.lower(Client.last_name), func.lower(Client.first_name), Client.id)


def filter_state(stmt, link_id, state: str):
    """Keep the rows of one filter tab. `stmt` outer-joins the link (whose id column is `link_id`)
    and the MatchProposal of each row; shared by Client and Caregiver Matching."""
    if state == "matched":
        return stmt.where(link_id.is_not(None))
    if state in ("review", "auto"):
        wanted = MatchProposal.status == "auto" if state == "auto" else MatchProposal.status != "auto"
        return stmt.where(link_id.is_(None), MatchProposal.qbo_customer_id.is_not(None), wanted)
    if state == "unmatched":
        return stmt.where(link_id.is_(None), MatchProposal.qbo_customer_id.is_(None))
    return stmt


def client_rows(realm_id: str, user, *, office_id: int | None = None, search: str = "",
                state: str = "all", page: int = 1, per_page: int = 50,
                counted: dict[str, int] | None = None) -> tuple[Page, list[Row]]:
    """One page of the client table, filtered, with each row's link/proposal/creation/options.
    `counted`: `counts()` for the same user and office, whose tab figure is the page's total
    when nothing is searched."""
    stmt = client_statement(realm_id, user, office_id, search, state)
    total = counted.get(state) if counted is not None and not (search or "").strip() else None
    result = paginate(stmt, page, per_page, total=total)
    ids = [c.id for c in result.items]
    links = links_by_subject(realm_id, LinkKind.CLIENT, ids)
    props = {p.subject_id: p for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.realm_id == realm_id, MatchProposal.kind == ProposalKind.CLIENT,
        MatchProposal.subject_id.in_(ids)))}
    creations = {c.client_id: c for c in db.session.scalars(select(PendingCreation).where(
        PendingCreation.realm_id == realm_id, PendingCreation.link_kind == LinkKind.CLIENT.value,
        PendingCreation.client_id.in_(ids), PendingCreation.status != CreationStatus.DONE))}
    flagged = attention_for(realm_id, ids)
    rows = [Row(c, links.get(c.id), props.get(c.id), creations.get(c.id),
                attention=flagged[c.id].reason if c.id in flagged else "") for c in result.items]
    fill_options(realm_id, rows)
    return result, rows


def payer_rows(realm_id: str) -> list[Row]:
    payers = db.session.scalars(select(Payer).where(Payer.active.is_(True)).order_by(Payer.name)).all()
    ids = [p.id for p in payers]
    links = links_by_subject(realm_id, LinkKind.PAYER, ids)
    props = {p.subject_id: p for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.realm_id == realm_id, MatchProposal.kind == ProposalKind.PAYER,
        MatchProposal.subject_id.in_(ids)))}
    creations = {c.payer_id: c for c in db.session.scalars(select(PendingCreation).where(
        PendingCreation.realm_id == realm_id, PendingCreation.link_kind == LinkKind.PAYER.value,
        PendingCreation.payer_id.in_(ids), PendingCreation.status != CreationStatus.DONE))}
    rows = [Row(p, links.get(p.id), props.get(p.id), creations.get(p.id)) for p in payers]
    fill_options(realm_id, rows)
    return rows


def pair_rows(realm_id: str, user, *, office_id: int | None = None, search: str = "",
              page: int = 1, per_page: int = 50) -> tuple[Page, list[Row]]:
    """One page of the "Clients under payers" table (the user's offices only)."""
    pairs = pairs_subquery()
    stmt = (scoped_clients(user, office_id).add_columns(Payer)
            .join(pairs, pairs.c.client_id == Client.id).join(Payer, Payer.id == pairs.c.payer_id))
    text = (search or "").strip()
    if text:
        like = f"%{text.lower()}%"
        stmt = stmt.where(or_(func.lower(Client.first_name + " " + Client.last_name).like(like),
                              func.lower(Client.last_name + ", " + Client.first_name).like(like),
                              func.lower(Client.code).like(like), func.lower(Payer.name).like(like)))
    stmt = stmt.order_by(func.lower(Payer.name), func.lower(Client.last_name),
                         func.lower(Client.first_name), Client.id)
    result = paginate(stmt, page, per_page, scalars=False)
    keys = [(c.id, p.id) for c, p in result.items]
    client_ids = [k[0] for k in keys]
    links = links_by_subject(realm_id, LinkKind.CLIENT_UNDER_PAYER, client_ids)
    props = {(p.subject_id, p.payer_id): p for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.realm_id == realm_id, MatchProposal.kind == ProposalKind.PAIR,
        MatchProposal.subject_id.in_(client_ids)))}
    creations = {(c.client_id, c.payer_id): c for c in db.session.scalars(select(PendingCreation).where(
        PendingCreation.realm_id == realm_id,
        PendingCreation.link_kind == LinkKind.CLIENT_UNDER_PAYER.value,
        PendingCreation.client_id.in_(client_ids), PendingCreation.status != CreationStatus.DONE))}
    parents = payer_customer_ids(realm_id)
    parent_copies = copies_by_id(realm_id, set(parents.values()))
    rows = []
    for client, payer in result.items:
        key = (client.id, payer.id)
        row = Row(client, links.get(key), props.get(key), creations.get(key), payer=payer,
                  parent_id=parents.get(payer.id))
        copy = parent_copies.get(row.parent_id or "")
        row.parent_label = label_of(copy) if copy else ""
        rows.append(row)
    fill_options(realm_id, rows)
    return result, rows


def fill_options(realm_id: str, rows: list[Row]) -> None:
    """The drop-down's starting options: the current link, the proposal and its alternatives
    (the search box fetches more). Customers linked to another record are left out."""
    wanted = set()
    for row in rows:
        if row.link:
            wanted.add(row.link.qbo_customer_id)
        if row.proposal:
            wanted.add(row.proposal.qbo_customer_id)
            wanted.update(a[0] for a in row.proposal.alternative_list)
    wanted.discard(None)
    linked = linked_customer_ids(realm_id, among=wanted)  # only the page's candidates, not every link
    copies = copies_by_id(realm_id, wanted)
    for row in rows:
        options, seen = [], set()
        own = row.link.qbo_customer_id if row.link else None

        def add(cid, note):
            if not cid or cid in seen or (cid in linked and cid != own):
                return
            copy = copies.get(cid)
            label = label_of(copy) if copy else (row.link.qbo_display_name if row.link else cid)
            options.append((cid, label, note))
            seen.add(cid)

        if row.link:
            add(row.link.qbo_customer_id, "linked")
        if row.suggestion_id:   # first, and marked: the person confirms it by choosing it
            copy = copies.get(row.suggestion_id)
            if copy is not None and row.suggestion_id not in linked:
                options.append((row.suggestion_id,
                                f"Suggested: {label_of(copy)} ({row.proposal.score})", row.proposal.reason))
                seen.add(row.suggestion_id)
        if row.proposal:
            add(row.proposal.qbo_customer_id, f"{row.proposal.score} · {row.proposal.reason}")
            for cid, score, why in row.proposal.alternative_list:
                add(cid, f"{score} · {why}")
        row.options = options


def keep_current_choice(realm_id: str, options: list, current: str) -> list:
    """A row's drop-down options with the customer already chosen in the form kept on top,
    even when the search typed no longer finds it (so the choice does not silently change)."""
    if current and current not in {o[0] for o in options}:
        known = copies_by_id(realm_id, [current]).get(current)
        if known:
            options.insert(0, (current, label_of(known), "current choice"))
    return options


def counts(realm_id: str, user, office_id: int | None = None) -> dict[str, int]:
    """How many visible active clients are matched / to review / unmatched (for the filter tabs),
    and how many of the unmatched have no stored proposal at all ("without_proposal")."""
    return state_counts(client_statement(realm_id, user, office_id, "", "all"), CustomerLink.id)


def state_counts(stmt, link_id) -> dict[str, int]:
    """The filter tabs' counts over the table's own join (`filter_state`'s): one grouped pass,
    not one count query per tab. "without_proposal" (not a tab): unlinked rows with no stored
    proposal row, which tells the page its proposals need computing."""
    linked = link_id.is_not(None)
    proposed = MatchProposal.qbo_customer_id.is_not(None)
    auto = MatchProposal.status == "auto"
    stmt = stmt.order_by(None).with_only_columns(
        func.count().filter(linked),
        func.count().filter(~linked & proposed & auto),
        func.count().filter(~linked & proposed & ~auto),
        func.count().filter(~linked & ~proposed),
        func.count().filter(~linked & MatchProposal.id.is_(None)))
    matched, auto_n, review, unmatched, without_proposal = db.session.execute(stmt).one()
    out = {"matched": matched, "auto": auto_n, "review": review, "unmatched": unmatched}
    out["all"] = sum(out.values())
    out["without_proposal"] = without_proposal
    return out
