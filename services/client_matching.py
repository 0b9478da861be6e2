"""The Client Matching tab's work: read the company's customers, propose matches, save choices.

- `refresh_customers(qbo, realm)` reads every customer (all pages, active and inactive), replaces
  the local copy and recomputes the proposals ONCE; page views only read stored rows.
- `client_rows(...)` / `payer_rows(...)`: one page of the table, scoped to the user's offices.
- `candidates_for(...)`: the drop-down for one row (ranked by the engine, or by a typed search),
  never offering a customer already linked to another record.
- `save_choices(...)`, `accept_all_auto(...)`, `remove_link(...)`: CustomerLink rows; the DB's
  unique constraints are the last word on "one customer, one record" and a lost race is reported.

Plain functions; no `request`.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models._types import utcnow
from models.billing import BatchStatus, Invoice, InvoiceBatch
from models.clients import Client, Payer
from models.links import CustomerLink, LinkKind, LinkSource
from models.matching_state import (CustomerListState, MatchProposal, PendingCreation, ProposalKind,
                                   QboCustomerCopy, CreationStatus)
from models.sync_settings import NameFormat, PayerMode
from services.customer_creation import fill_copy, slim
from services.matching import (ClientRecord, CustomerIndex, CustomerRecord, match_clients,
                               match_payers, rank_candidates)
from services.offices import visible_office_ids
from services.pagination import Page, paginate

FILTERS = ("all", "unmatched", "review", "auto", "matched")
FILTER_LABELS = {"all": "All", "unmatched": "Unmatched", "review": "To review",
                 "auto": "Auto match, not saved", "matched": "Matched"}


# --- settings (issue #5 owns them; fall back to defaults until a company has saved any) ---------

@dataclass(frozen=True)
class CreationSettings:
    name_format: NameFormat = NameFormat.LAST_FIRST
    payer_mode: PayerMode = PayerMode.CLIENT


def creation_settings(realm_id: str | None) -> CreationSettings:
    if not realm_id:
        return CreationSettings()
    try:
        from services.sync_settings import settings_for
    except ImportError:  # the settings service has not landed: the documented defaults
        return CreationSettings()
    row = settings_for(realm_id)
    return CreationSettings(NameFormat(row.customer_name_format or NameFormat.LAST_FIRST),
                            PayerMode(row.payer_mode or PayerMode.CLIENT))


# --- the customer list --------------------------------------------------------------------------

def list_state(realm_id: str) -> CustomerListState | None:
    return db.session.get(CustomerListState, realm_id)


def refresh_customers(qbo, realm_id: str) -> CustomerListState:
    """Read every customer of the company (QBO pages of 1000), replace the copy, re-propose."""
    customers = qbo.query_all("Customer", "Active IN (true, false)")
    existing = {c.qbo_id: c for c in db.session.scalars(
        select(QboCustomerCopy).where(QboCustomerCopy.realm_id == realm_id))}
    seen = set()
    for customer in customers:
        qbo_id = str(customer.get("Id"))
        seen.add(qbo_id)
        copy = existing.get(qbo_id)
        if copy is None:
            copy = QboCustomerCopy(realm_id=realm_id, qbo_id=qbo_id)
            db.session.add(copy)
        fill_copy(copy, customer)
    gone = [qid for qid in existing if qid not in seen]
    if gone:
        db.session.execute(delete(QboCustomerCopy).where(
            QboCustomerCopy.realm_id == realm_id, QboCustomerCopy.qbo_id.in_(gone)))
    state = list_state(realm_id) or CustomerListState(realm_id=realm_id, version=0)
    state.fetched_at, state.customer_count = utcnow(), len(customers)
    state.version = (state.version or 0) + 1
    db.session.add(state)
    db.session.flush()
    recompute_proposals(realm_id)
    db.session.commit()
    return state


def _records(realm_id: str) -> list[CustomerRecord]:
    return [CustomerRecord.from_qbo(json.loads(p)) for p in db.session.scalars(
        select(QboCustomerCopy.payload).where(QboCustomerCopy.realm_id == realm_id)
        .order_by(QboCustomerCopy.id))]


_index_cache: dict[str, tuple[int, CustomerIndex, dict[str, CustomerRecord]]] = {}
_index_lock = threading.Lock()


def customer_index(realm_id: str) -> tuple[CustomerIndex, dict[str, CustomerRecord]]:
    """The prepared engine index of the copy, rebuilt only when the list version changes."""
    state = list_state(realm_id)
    version = state.version if state else 0
    with _index_lock:
        cached = _index_cache.get(realm_id)
        if cached and cached[0] == version:
            return cached[1], cached[2]
    records = _records(realm_id)
    index = CustomerIndex(records)
    with _index_lock:
        _index_cache[realm_id] = (version, index, {r.id: r for r in records})
    return index, {r.id: r for r in records}


def invalidate_index(realm_id: str) -> None:
    with _index_lock:
        _index_cache.pop(realm_id, None)


def linked_customer_ids(realm_id: str) -> set[str]:
    return set(db.session.scalars(select(CustomerLink.qbo_customer_id).where(
        CustomerLink.realm_id == realm_id)))


def _client_record(c: Client) -> ClientRecord:
    return ClientRecord(id=str(c.id), first_name=c.first_name, middle_name=c.middle_name or "",
                        last_name=c.last_name, suffix=c.suffix or "",
                        preferred_name=c.preferred_name or "", email=c.email or "",
                        phone=c.phone or "", address_line1=c.address_line1 or "", city=c.city or "",
                        state=c.state or "", postal_code=c.postal_code or "", active=c.active,
                        client_code=c.code or "")


def recompute_proposals(realm_id: str) -> None:
    """Propose a customer for every active, unlinked client and payer, among customers nobody
    is linked to yet, and for every (client, payer) pair of finalized invoices among that payer's
    sub-customers. Called on refresh (and by tests); pages never rematch.

    In PAYER_SUBCUSTOMER mode a sub-customer under a payer's customer (linked or proposed) stands
    for a client *under that payer*, so it is kept out of the clients' own matching."""
    invalidate_index(realm_id)
    linked = linked_customer_ids(realm_id)
    free = [r for r in _records(realm_id) if r.id not in linked]
    db.session.execute(delete(MatchProposal).where(MatchProposal.realm_id == realm_id))
    linked_payers = select(CustomerLink.payer_id).where(
        CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.PAYER)
    payers = db.session.scalars(select(Payer).where(
        Payer.active.is_(True), Payer.id.not_in(linked_payers)).order_by(Payer.id)).all()
    top_level = [r for r in free if not r.is_job]
    payer_proposals = match_payers([(str(p.id), p.name) for p in payers], top_level)
    for p in payer_proposals:
        db.session.add(_proposal_row(realm_id, ProposalKind.PAYER, p))
    if creation_settings(realm_id).payer_mode == PayerMode.PAYER_SUBCUSTOMER:
        payer_customers = set(payer_customer_ids(realm_id).values()) | {
            p.customer_id for p in payer_proposals if p.customer_id}
        free = [r for r in free if not (r.is_job and r.parent_id in payer_customers)]
    linked_clients = select(CustomerLink.client_id).where(
        CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.CLIENT)
    clients = db.session.scalars(select(Client).where(
        Client.active.is_(True), Client.id.not_in(linked_clients)).order_by(Client.id)).all()
    for p in match_clients([_client_record(c) for c in clients], free):
        db.session.add(_proposal_row(realm_id, ProposalKind.CLIENT, p))
    db.session.flush()
    recompute_pair_proposals(realm_id)


def _proposal_row(realm_id, kind, p, payer_id: int | None = None) -> MatchProposal:
    return MatchProposal(realm_id=realm_id, kind=kind, subject_id=int(p.client_id), payer_id=payer_id,
                         qbo_customer_id=p.customer_id, score=int(p.score), status=p.status,
                         reason=(p.reason or "")[:500],
                         alternatives=json.dumps([[a.customer_id, a.score, a.reason]
                                                  for a in p.alternatives][:10]))


# --- clients under payers (Sync Settings: PayerMode.PAYER_SUBCUSTOMER) --------------------------
# An invoice of client C paid by payer P is billed to C's sub-customer under P's customer, so it
# needs CustomerLink(kind=CLIENT_UNDER_PAYER, client_id=C, payer_id=P). The pairs are those that
# occur on finalized invoices; each is matched only among the sub-customers of P's linked customer.

def payer_customer_ids(realm_id: str) -> dict[int, str]:
    """payer id -> the QBO customer id it is linked to."""
    return {pid: cid for pid, cid in db.session.execute(
        select(CustomerLink.payer_id, CustomerLink.qbo_customer_id).where(
            CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.PAYER))}


def _pairs_subquery():
    """Distinct (client_id, payer_id) on finalized invoices of active clients."""
    return (select(Invoice.client_id, Invoice.payer_id).distinct()
            .join(InvoiceBatch, InvoiceBatch.id == Invoice.batch_id)
            .join(Client, Client.id == Invoice.client_id)
            .where(InvoiceBatch.status == BatchStatus.FINALIZED, Invoice.payer_id.is_not(None),
                   Client.active.is_(True))).subquery()


def _sub_customers(realm_id: str, parent_qbo_id: str) -> list[CustomerRecord]:
    return [CustomerRecord.from_qbo(json.loads(p)) for p in db.session.scalars(
        select(QboCustomerCopy.payload).where(QboCustomerCopy.realm_id == realm_id,
                                              QboCustomerCopy.parent_qbo_id == parent_qbo_id)
        .order_by(QboCustomerCopy.id))]


def recompute_pair_proposals(realm_id: str, payer_ids=None) -> None:
    """Re-propose the unlinked pairs (of the given payers, or all): the engine runs per payer over
    that payer's free sub-customers only (their leaf name: "Payer:Smith, John" → "Smith, John").
    Also called when a payer gets linked, since its pairs could not be matched before."""
    stmt = delete(MatchProposal).where(MatchProposal.realm_id == realm_id,
                                       MatchProposal.kind == ProposalKind.PAIR)
    if payer_ids is not None:
        stmt = stmt.where(MatchProposal.payer_id.in_(list(payer_ids)))
    db.session.execute(stmt)
    parents = payer_customer_ids(realm_id)
    pairs = _pairs_subquery()
    linked_pairs = set(db.session.execute(select(CustomerLink.client_id, CustomerLink.payer_id).where(
        CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.CLIENT_UNDER_PAYER)).all())
    by_payer: dict[int, list[Client]] = {}
    for client, payer_id in db.session.execute(
            select(Client, pairs.c.payer_id).join(pairs, pairs.c.client_id == Client.id)
            .order_by(pairs.c.payer_id, Client.id)):
        if (client.id, payer_id) not in linked_pairs and (payer_ids is None or payer_id in payer_ids):
            by_payer.setdefault(payer_id, []).append(client)
    linked = linked_customer_ids(realm_id)
    for payer_id, clients in by_payer.items():
        parent = parents.get(payer_id)
        if parent is None:
            continue   # "Match the payer first"
        subs = [r for r in _sub_customers(realm_id, parent) if r.id not in linked]
        for p in match_clients([_client_record(c) for c in clients], subs):
            db.session.add(_proposal_row(realm_id, ProposalKind.PAIR, p, payer_id))
    db.session.flush()


def pair_rows(realm_id: str, user, *, office_id: int | None = None, search: str = "",
              page: int = 1, per_page: int = 50) -> tuple[Page, list[Row]]:
    """One page of the "Clients under payers" table (the user's offices only)."""
    pairs = _pairs_subquery()
    stmt = (_scoped_clients(user, office_id).add_columns(Payer)
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
    links = {(l.client_id, l.payer_id): l for l in db.session.scalars(select(CustomerLink).where(
        CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.CLIENT_UNDER_PAYER,
        CustomerLink.client_id.in_(client_ids)))}
    props = {(p.subject_id, p.payer_id): p for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.realm_id == realm_id, MatchProposal.kind == ProposalKind.PAIR,
        MatchProposal.subject_id.in_(client_ids)))}
    creations = {(c.client_id, c.payer_id): c for c in db.session.scalars(select(PendingCreation).where(
        PendingCreation.realm_id == realm_id,
        PendingCreation.link_kind == LinkKind.CLIENT_UNDER_PAYER.value,
        PendingCreation.client_id.in_(client_ids), PendingCreation.status != CreationStatus.DONE))}
    parents = payer_customer_ids(realm_id)
    parent_copies = _names(realm_id, set(parents.values()))
    rows = []
    for client, payer in result.items:
        key = (client.id, payer.id)
        row = Row(client, links.get(key), props.get(key), creations.get(key), payer=payer,
                  parent_id=parents.get(payer.id))
        copy = parent_copies.get(row.parent_id or "")
        row.parent_label = label_of(copy) if copy else ""
        rows.append(row)
    _fill_options(realm_id, rows)
    return result, rows


def pair_candidates(realm_id: str, client_id: int, payer_id: int, query: str = "",
                    limit: int = 15) -> list[tuple[str, str, str]]:
    """The drop-down of one pair: sub-customers of the payer's customer only, never one linked
    to another record; ranked by the engine, or filtered by a typed name."""
    parent = payer_customer_ids(realm_id).get(payer_id)
    client = db.session.get(Client, client_id)
    if parent is None or client is None:
        return []
    linked = linked_customer_ids(realm_id)
    own = db.session.scalar(select(CustomerLink.qbo_customer_id).where(
        CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.CLIENT_UNDER_PAYER,
        CustomerLink.client_id == client_id, CustomerLink.payer_id == payer_id))
    subs = [r for r in _sub_customers(realm_id, parent) if r.id not in linked or r.id == own]
    copies = _names(realm_id, [r.id for r in subs])
    text = (query or "").strip().lower()
    if text:
        hits = [r for r in subs if text in (r.fully_qualified_name or r.display_name).lower()]
        return [(r.id, label_of(copies[r.id]), "") for r in hits if r.id in copies][:limit]
    ranked = rank_candidates(_client_record(client), subs, limit=limit)
    return [(cid, label_of(copies[cid]), f"{score} · {why}") for cid, score, why in ranked if cid in copies]


def pair_display_name(realm_id: str, client: Client, payer: Payer, name_format: NameFormat) -> str | None:
    """The DisplayName for a new sub-customer, or None for the plain name format. QBO wants
    DisplayName unique across ALL customers (sub-customers too), so when the client's plain name is
    already taken in the company (typically by their own top-level customer) the payer's name is
    added: "Smith, John (Sunrise LTC)". A vendor or employee holding it still gives 6240, and the
    usual choice (link / create with a suffix) follows."""
    from services.customer_creation import DISPLAY_NAME_MAX, clean_name, client_display_name

    plain = client_display_name(client, name_format)
    taken = db.session.scalar(select(QboCustomerCopy.id).where(
        QboCustomerCopy.realm_id == realm_id,
        func.lower(QboCustomerCopy.display_name) == plain.lower()).limit(1))
    if taken is None:
        return None
    return clean_name(f"{plain} ({payer.name})", DISPLAY_NAME_MAX)


@dataclass
class PairChoice:
    client_id: int
    payer_id: int
    customer_id: str = ""
    add_to_qbo: bool = False


def save_pair_choices(realm_id: str, choices: list[PairChoice], user_id: int | None,
                      allowed_client_ids: set[int] | None = None) -> SaveResult:
    """Like save_choices, for the "Clients under payers" rows. A chosen customer must be a
    sub-customer of the payer's linked customer (otherwise the invoice would bill another payer)."""
    from services.customer_creation import CreationRequest

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
        link = db.session.scalar(select(CustomerLink).where(
            CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.CLIENT_UNDER_PAYER,
            CustomerLink.client_id == choice.client_id, CustomerLink.payer_id == choice.payer_id))
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

        def link_sub_customer():  # called at once by _apply_choice, so the loop's values are current
            copy = _names(realm_id, [wanted]).get(wanted)
            if parent is None or copy is None or copy.parent_qbo_id != parent:
                return f"{who}: choose a sub-customer of the payer's QuickBooks customer."
            return _set_link(realm_id, ProposalKind.PAIR, LinkKind.CLIENT_UNDER_PAYER, client.id, wanted,
                             link, user_id, payer_id=payer.id)

        _apply_choice(result, link, wanted, link_sub_customer)
    return result


def _apply_choice(result: SaveResult, link: CustomerLink | None, wanted: str, set_link) -> None:
    """The common end of a Save row: keep the link, remove it (no customer chosen), or point it at
    `wanted` through `set_link()` (which returns an error sentence or None), counting what changed."""
    if link and link.qbo_customer_id == wanted:
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


def pair_link(realm_id: str, client_id: int, payer_id: int) -> CustomerLink | None:
    return db.session.scalar(select(CustomerLink).where(
        CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.CLIENT_UNDER_PAYER,
        CustomerLink.client_id == client_id, CustomerLink.payer_id == payer_id))


def candidates_own_link(realm_id: str, kind: ProposalKind, subject_id: int) -> bool:
    """Whether this client / payer row has a saved link (its empty option then removes it)."""
    col = CustomerLink.payer_id if kind == ProposalKind.PAYER else CustomerLink.client_id
    return db.session.scalar(select(CustomerLink.id).where(
        CustomerLink.realm_id == realm_id, CustomerLink.kind == _link_kind(kind), col == subject_id)) is not None


def remove_pair_link(realm_id: str, client_id: int, payer_id: int) -> bool:
    link = db.session.scalar(select(CustomerLink).where(
        CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.CLIENT_UNDER_PAYER,
        CustomerLink.client_id == client_id, CustomerLink.payer_id == payer_id))
    if link is None:
        return False
    db.session.delete(link)
    db.session.commit()
    return True


def visible_client_ids(user, ids) -> set[int]:
    """The ids among `ids` of active clients `user` may see."""
    scoped = _scoped_clients(user, None).subquery()
    return set(db.session.scalars(select(scoped.c.id).where(scoped.c.id.in_(list(ids)))))


# --- the table ----------------------------------------------------------------------------------

@dataclass
class Row:
    """One client (or payer) row of the table."""
    subject: Client | Payer
    link: CustomerLink | None
    proposal: MatchProposal | None
    creation: PendingCreation | None
    options: list[tuple[str, str, str]] = field(default_factory=list)  # (id, label, note)
    payer: Payer | None = None            # "Clients under payers" rows: the payer of the pair
    parent_id: str | None = None          # ...and the payer's linked QBO customer (None: not yet)
    parent_label: str = ""

    @property
    def proposed(self) -> bool:
        return self.link is None and self.proposal is not None and bool(self.proposal.qbo_customer_id)

    @property
    def selected_id(self) -> str:
        """What the drop-down holds when the page opens (and so what an untouched Save stores):
        the saved link, else an `auto` proposal. A `review` proposal is only suggested."""
        if self.link:
            return self.link.qbo_customer_id
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


def _scoped_clients(user, office_id: int | None):
    """Active clients of the offices `user` may see (Agency Users: their own offices only)."""
    stmt = select(Client).where(Client.active.is_(True))
    if not user.sees_all_offices:
        stmt = stmt.where(Client.office_id.in_(visible_office_ids(user) or [-1]))
    if office_id:
        stmt = stmt.where(Client.office_id == office_id)
    return stmt


def _client_statement(realm_id: str, user, office_id, search, state):
    link_join = and_(CustomerLink.client_id == Client.id, CustomerLink.realm_id == realm_id,
                     CustomerLink.kind == LinkKind.CLIENT)
    prop_join = and_(MatchProposal.subject_id == Client.id, MatchProposal.realm_id == realm_id,
                     MatchProposal.kind == ProposalKind.CLIENT)
    stmt = (_scoped_clients(user, office_id)
            .outerjoin(CustomerLink, link_join).outerjoin(MatchProposal, prop_join))
    text = (search or "").strip()
    if text:
        like = f"%{text.lower()}%"
        stmt = stmt.where(or_(func.lower(Client.first_name + " " + Client.last_name).like(like),
                              func.lower(Client.last_name + ", " + Client.first_name).like(like),
                              func.lower(Client.code).like(like),
                              func.lower(func.coalesce(CustomerLink.qbo_display_name, "")).like(like)))
    if state == "matched":
        stmt = stmt.where(CustomerLink.id.is_not(None))
    elif state in ("review", "auto"):
        wanted = MatchProposal.status == "auto" if state == "auto" else MatchProposal.status != "auto"
        stmt = stmt.where(CustomerLink.id.is_(None), MatchProposal.qbo_customer_id.is_not(None), wanted)
    elif state == "unmatched":
        stmt = stmt.where(CustomerLink.id.is_(None), MatchProposal.qbo_customer_id.is_(None))
    return stmt.order_by(func.lower(Client.last_name), func.lower(Client.first_name), Client.id)


def client_rows(realm_id: str, user, *, office_id: int | None = None, search: str = "",
                state: str = "all", page: int = 1, per_page: int = 50) -> tuple[Page, list[Row]]:
    """One page of the client table, filtered, with each row's link/proposal/creation/options."""
    stmt = _client_statement(realm_id, user, office_id, search, state)
    result = paginate(stmt, page, per_page)
    ids = [c.id for c in result.items]
    links = {l.client_id: l for l in db.session.scalars(select(CustomerLink).where(
        CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.CLIENT,
        CustomerLink.client_id.in_(ids)))}
    props = {p.subject_id: p for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.realm_id == realm_id, MatchProposal.kind == ProposalKind.CLIENT,
        MatchProposal.subject_id.in_(ids)))}
    creations = {c.client_id: c for c in db.session.scalars(select(PendingCreation).where(
        PendingCreation.realm_id == realm_id, PendingCreation.link_kind == LinkKind.CLIENT.value,
        PendingCreation.client_id.in_(ids), PendingCreation.status != CreationStatus.DONE))}
    rows = [Row(c, links.get(c.id), props.get(c.id), creations.get(c.id)) for c in result.items]
    _fill_options(realm_id, rows)
    return result, rows


def payer_rows(realm_id: str) -> list[Row]:
    payers = db.session.scalars(select(Payer).where(Payer.active.is_(True)).order_by(Payer.name)).all()
    ids = [p.id for p in payers]
    links = {l.payer_id: l for l in db.session.scalars(select(CustomerLink).where(
        CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.PAYER,
        CustomerLink.payer_id.in_(ids)))}
    props = {p.subject_id: p for p in db.session.scalars(select(MatchProposal).where(
        MatchProposal.realm_id == realm_id, MatchProposal.kind == ProposalKind.PAYER,
        MatchProposal.subject_id.in_(ids)))}
    creations = {c.payer_id: c for c in db.session.scalars(select(PendingCreation).where(
        PendingCreation.realm_id == realm_id, PendingCreation.link_kind == LinkKind.PAYER.value,
        PendingCreation.payer_id.in_(ids), PendingCreation.status != CreationStatus.DONE))}
    rows = [Row(p, links.get(p.id), props.get(p.id), creations.get(p.id)) for p in payers]
    _fill_options(realm_id, rows)
    return rows


def _names(realm_id: str, ids) -> dict[str, QboCustomerCopy]:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    return {c.qbo_id: c for c in db.session.scalars(select(QboCustomerCopy).where(
        QboCustomerCopy.realm_id == realm_id, QboCustomerCopy.qbo_id.in_(ids)))}


def keep_current_choice(realm_id: str, options: list, current: str) -> list:
    """A row's drop-down options with the customer already chosen in the form kept on top,
    even when the search typed no longer finds it (so the choice does not silently change)."""
    if current and current not in {o[0] for o in options}:
        known = _names(realm_id, [current]).get(current)
        if known:
            options.insert(0, (current, label_of(known), "current choice"))
    return options


def taken_display_names(realm_id: str) -> set[str]:
    """Every DisplayName in the stored copy of the company's customer list."""
    return set(db.session.scalars(select(QboCustomerCopy.display_name).where(
        QboCustomerCopy.realm_id == realm_id)))


def label_of(copy: QboCustomerCopy) -> str:
    label = copy.fully_qualified_name or copy.display_name
    return label if copy.active else f"{label} (inactive)"


def _fill_options(realm_id: str, rows: list[Row]) -> None:
    """The drop-down's starting options: the current link, the proposal and its alternatives
    (the search box fetches more). Customers linked to another record are left out."""
    linked = linked_customer_ids(realm_id)
    wanted = set()
    for row in rows:
        if row.link:
            wanted.add(row.link.qbo_customer_id)
        if row.proposal:
            wanted.add(row.proposal.qbo_customer_id)
            wanted.update(a[0] for a in row.proposal.alternative_list)
    copies = _names(realm_id, wanted)
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


def candidates_for(realm_id: str, kind: ProposalKind, subject_id: int, query: str = "",
                   limit: int = 15) -> list[tuple[str, str, str]]:
    """Options for one row's searchable drop-down: (customer id, label, note).

    With a query: customers whose name contains it (then ranked by the engine for clients).
    Without: the engine's ranking for this client. Linked-to-others customers are never offered."""
    linked = linked_customer_ids(realm_id)
    own = db.session.scalar(select(CustomerLink.qbo_customer_id).where(
        CustomerLink.realm_id == realm_id,
        CustomerLink.kind == (LinkKind.PAYER if kind == ProposalKind.PAYER else LinkKind.CLIENT),
        (CustomerLink.payer_id if kind == ProposalKind.PAYER else CustomerLink.client_id) == subject_id))
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
        ranked = rank_candidates(_client_record(client), index, limit=limit + len(blocked))
        copies = _names(realm_id, [cid for cid, _, _ in ranked])
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
    copies = _names(realm_id, [cid for cid, _, _ in ranked])
    return [(cid, label_of(copies[cid]), f"{s} · {why}") for cid, s, why in ranked if cid in copies][:limit]


# --- saving -------------------------------------------------------------------------------------

@dataclass
class Choice:
    """One row of a Save: link to `customer_id` ("" = no customer), or ask to create one."""
    subject_id: int
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


def _link_kind(kind: ProposalKind) -> LinkKind:
    return LinkKind.PAYER if kind == ProposalKind.PAYER else LinkKind.CLIENT


def save_choices(realm_id: str, kind: ProposalKind, choices: list[Choice], user_id: int | None,
                 allowed_subject_ids: set[int] | None = None) -> SaveResult:
    """Store each row's choice. Unchanged rows cost nothing; each change commits on its own so a
    race lost on one row (the unique constraint) leaves the others saved."""
    from services.customer_creation import CreationRequest

    result = SaveResult()
    lk = _link_kind(kind)
    subject_col = CustomerLink.payer_id if kind == ProposalKind.PAYER else CustomerLink.client_id
    for choice in choices:
        if allowed_subject_ids is not None and choice.subject_id not in allowed_subject_ids:
            result.errors.append("A row you may not change was ignored.")
            continue
        link = db.session.scalar(select(CustomerLink).where(
            CustomerLink.realm_id == realm_id, CustomerLink.kind == lk, subject_col == choice.subject_id))
        wanted = (choice.customer_id or "").strip()
        if choice.add_to_qbo:
            if link is not None:   # e.g. Save pressed twice: the first one created and linked it
                result.notes.append(f"{_subject_name(kind, choice.subject_id)} is already linked "
                                    f"to “{link.qbo_display_name}”; nothing was created.")
                continue
            # "Add to QuickBooks" wins over a pre-selected proposal.
            result.creations.append(CreationRequest(
                kind=lk, client_id=choice.subject_id if lk == LinkKind.CLIENT else None,
                payer_id=choice.subject_id if lk == LinkKind.PAYER else None))
            continue
        _apply_choice(result, link, wanted,
                      lambda: _set_link(realm_id, kind, lk, choice.subject_id, wanted, link, user_id))
    return result


def _subject_name(kind: ProposalKind, subject_id: int) -> str:
    if kind == ProposalKind.PAYER:
        payer = db.session.get(Payer, subject_id)
        return payer.name if payer else str(subject_id)
    client = db.session.get(Client, subject_id)
    return client.full_name if client else str(subject_id)


def _set_link(realm_id, kind, lk, subject_id, customer_id, link, user_id, source=None,
              payer_id: int | None = None) -> str | None:
    """`payer_id` only for CLIENT_UNDER_PAYER links (subject_id is then the client)."""
    copy = db.session.scalar(select(QboCustomerCopy).where(
        QboCustomerCopy.realm_id == realm_id, QboCustomerCopy.qbo_id == customer_id))
    who = _subject_name(kind, subject_id)
    if payer_id is not None:
        who += f" under {_subject_name(ProposalKind.PAYER, payer_id)}"
    if copy is None:
        return f"{who}: that QuickBooks customer is not in the list any more; refresh the customers."
    holder = db.session.scalar(select(CustomerLink).where(
        CustomerLink.realm_id == realm_id, CustomerLink.qbo_customer_id == customer_id))
    if holder is not None and holder is not link:
        return (f"{who}: “{copy.display_name}” is already linked to "
                f"{_holder_name(holder)}. One QuickBooks customer can stand for only one record.")
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


def _holder_name(link: CustomerLink) -> str:
    if link.kind == LinkKind.PAYER and link.payer:
        return f"the payer {link.payer.name}"
    if link.kind == LinkKind.CLIENT_UNDER_PAYER and link.client and link.payer:
        return f"the client {link.client.full_name} ({link.client.code}) under {link.payer.name}"
    if link.client:
        return f"the client {link.client.full_name} ({link.client.code})"
    return "another record"


def accept_all_auto(realm_id: str, user, office_id: int | None = None) -> SaveResult:
    """Link every visible, unlinked client whose proposal is `auto` (safe to pre-select)."""
    result = SaveResult()
    visible = select(_scoped_clients(user, office_id).subquery().c.id)
    linked_clients = select(CustomerLink.client_id).where(
        CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.CLIENT)
    proposals = db.session.scalars(select(MatchProposal).where(
        MatchProposal.realm_id == realm_id, MatchProposal.kind == ProposalKind.CLIENT,
        MatchProposal.status == "auto", MatchProposal.qbo_customer_id.is_not(None),
        MatchProposal.subject_id.in_(visible), MatchProposal.subject_id.not_in(linked_clients))
        .order_by(MatchProposal.subject_id)).all()
    for p in proposals:
        error = _set_link(realm_id, ProposalKind.CLIENT, LinkKind.CLIENT, p.subject_id,
                          p.qbo_customer_id, None, user.id, LinkSource.AUTO)
        if error:
            result.errors.append(error)
        else:
            result.linked += 1
    if creation_settings(realm_id).payer_mode == PayerMode.PAYER_SUBCUSTOMER:
        linked_pairs = set(db.session.execute(select(CustomerLink.client_id, CustomerLink.payer_id).where(
            CustomerLink.realm_id == realm_id, CustomerLink.kind == LinkKind.CLIENT_UNDER_PAYER)).all())
        for p in db.session.scalars(select(MatchProposal).where(
                MatchProposal.realm_id == realm_id, MatchProposal.kind == ProposalKind.PAIR,
                MatchProposal.status == "auto", MatchProposal.qbo_customer_id.is_not(None),
                MatchProposal.subject_id.in_(visible)).order_by(MatchProposal.subject_id)).all():
            if (p.subject_id, p.payer_id) in linked_pairs:
                continue
            error = _set_link(realm_id, ProposalKind.PAIR, LinkKind.CLIENT_UNDER_PAYER, p.subject_id,
                              p.qbo_customer_id, None, user.id, LinkSource.AUTO, payer_id=p.payer_id)
            if error:
                result.errors.append(error)
            else:
                result.linked += 1
    return result


def remove_link(realm_id: str, kind: ProposalKind, subject_id: int) -> bool:
    subject_col = CustomerLink.payer_id if kind == ProposalKind.PAYER else CustomerLink.client_id
    link = db.session.scalar(select(CustomerLink).where(
        CustomerLink.realm_id == realm_id, CustomerLink.kind == _link_kind(kind),
        subject_col == subject_id))
    if link is None:
        return False
    db.session.delete(link)
    db.session.commit()
    return True


def counts(realm_id: str, user, office_id: int | None = None) -> dict[str, int]:
    """How many visible active clients are matched / to review / unmatched (for the filter tabs)."""
    out = {}
    for state in ("matched", "auto", "review", "unmatched"):
        stmt = _client_statement(realm_id, user, office_id, "", state).order_by(None)
        out[state] = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    out["all"] = sum(out.values())
    return out


__all__ = ["FILTERS", "FILTER_LABELS", "Choice", "CreationSettings", "PairChoice", "Row", "SaveResult",
           "pair_candidates", "pair_display_name", "pair_rows", "payer_customer_ids",
           "recompute_pair_proposals", "remove_pair_link", "save_pair_choices", "visible_client_ids",
           "accept_all_auto", "candidates_for", "client_rows", "counts", "creation_settings",
           "customer_index", "payer_rows", "recompute_proposals", "refresh_customers",
           "remove_link", "save_choices", "slim"]
