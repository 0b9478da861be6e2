"""Add to QuickBooks: create customers for clients (or payers) with the batch API, exactly once.

The guarantees, and how they are kept:
- Nothing is created twice. A `PendingCreation` row with its batch `requestid` is committed BEFORE
  the call goes out. A retry of a row still pending reuses the same requestid (QBO replays the first
  answer instead of executing again). After an *ambiguous* failure (the call may have been committed
  and the answer lost), the customer is first looked up by DisplayName and adopted if it exists.
  A second Save finds the client already linked, or its creation already pending, and adds nothing.
- A name QBO refuses as taken (6240: used by a customer, vendor or employee) is not guessed around:
  the row waits in NAME_TAKEN and the page offers "link to that customer" (when a customer holds it)
  or "create with a distinguishing suffix".
- `:` (QBO's sub-customer separator), tabs and newlines never reach a name field.
- Every failure is recorded in plain words on the row; pressing Save again is always safe.

No `request` or templates here: callers pass the QBO client, the realm and the user.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models.clients import Client, Payer
from models.links import CustomerLink, LinkKind, LinkSource
from models.matching_state import (CreationStatus, MatchProposal, PendingCreation, ProposalKind,
                                   QboCustomerCopy)
from models.sync_settings import NameFormat
from qbo.client import BATCH_LIMIT, quote
from qbo.errors import (AuthenticationError, DuplicateNameError, QboError, ThrottledError,
                        TransientError)
from services.client_matching.customers import upsert_copy
from services.client_matching.links import link_of
from services.mapping.customer import (DISPLAY_NAME_MAX, client_customer_body, clean_name,
                                       payer_customer_body)
from services.qbo_connection.messages import plain_error


OPEN_STATUSES = (CreationStatus.PENDING, CreationStatus.NAME_TAKEN, CreationStatus.FAILED)


# --- requesting --------------------------------------------------------------------------------

@dataclass
class CreationRequest:
    """What a person asked for: create a customer for this client or payer."""
    kind: LinkKind
    client_id: int | None = None
    payer_id: int | None = None
    parent_qbo_id: str | None = None      # for CLIENT_UNDER_PAYER
    display_name: str | None = None       # an explicit name (e.g. with a suffix after 6240)


@dataclass
class CreationOutcome:
    created: list[PendingCreation] = field(default_factory=list)
    adopted: list[PendingCreation] = field(default_factory=list)
    name_taken: list[PendingCreation] = field(default_factory=list)
    failed: list[PendingCreation] = field(default_factory=list)
    still_pending: list[PendingCreation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)   # plain-words reasons
    error: str = ""                                     # a whole-call failure, in plain words

    @property
    def done(self) -> list[PendingCreation]:
        return self.created + self.adopted


def _subject_filter(kind: LinkKind, client_id, payer_id):
    return (PendingCreation.link_kind == LinkKind(kind).value,
            PendingCreation.client_id.is_(None) if client_id is None else PendingCreation.client_id == client_id,
            PendingCreation.payer_id.is_(None) if payer_id is None else PendingCreation.payer_id == payer_id)


def open_creation(realm_id: str, kind: LinkKind, client_id=None, payer_id=None) -> PendingCreation | None:
    return db.session.scalar(select(PendingCreation).where(
        PendingCreation.realm_id == realm_id, PendingCreation.status.in_(OPEN_STATUSES),
        *_subject_filter(kind, client_id, payer_id)))


def existing_link(realm_id: str, kind: LinkKind, client_id=None, payer_id=None) -> CustomerLink | None:
    kind = LinkKind(kind)
    return link_of(realm_id, kind, payer_id if kind == LinkKind.PAYER else client_id, payer_id)


def _new_request_id() -> str:
    return uuid.uuid4().hex  # 32 characters: within the 36 QBO allows for a batch


def request_creations(realm_id: str, requests: list[CreationRequest], name_format: NameFormat,
                      user_id: int | None) -> tuple[list[PendingCreation], list[str]]:
    """Write one PendingCreation per request (committed, with requestid and bId) before anything
    is sent. A subject already linked is skipped; one already pending is reused as it is."""
    rows, skipped = [], []
    fresh: list[PendingCreation] = []
    for req in requests:
        kind = LinkKind(req.kind)
        if existing_link(realm_id, kind, req.client_id, req.payer_id):
            skipped.append(_subject_label(kind, req.client_id, req.payer_id) + " is already linked")
            continue
        row = open_creation(realm_id, kind, req.client_id, req.payer_id)
        body = _body_for(kind, req, name_format)
        if row is not None:
            if row.status == CreationStatus.PENDING and (not req.display_name
                                                         or body["DisplayName"] == row.display_name):
                rows.append(row)      # unchanged: keep its requestid so QBO can de-duplicate
                continue
            # A refused row asked again (maybe with new data or a new name): a new request.
            row.body, row.display_name = json.dumps(body), body["DisplayName"]
            row.parent_qbo_id = req.parent_qbo_id
            row.status, row.last_error, row.conflict_customer_id = CreationStatus.PENDING, "", None
            row.ambiguous = False
        else:
            row = PendingCreation(realm_id=realm_id, link_kind=kind.value, client_id=req.client_id,
                                  payer_id=req.payer_id, parent_qbo_id=req.parent_qbo_id,
                                  display_name=body["DisplayName"], body=json.dumps(body),
                                  request_id="", bid="", created_by_id=user_id,
                                  status=CreationStatus.PENDING)
            db.session.add(row)
        fresh.append(row)
        rows.append(row)
    # Fresh rows get their requestid/bId in groups of ≤30 (one batch each).
    for start in range(0, len(fresh), BATCH_LIMIT):
        request_id = _new_request_id()
        for n, row in enumerate(fresh[start:start + BATCH_LIMIT]):
            row.request_id, row.bid = request_id, f"c{n}"
    db.session.commit()
    return rows, skipped


def _body_for(kind: LinkKind, req: CreationRequest, name_format: NameFormat) -> dict:
    if kind == LinkKind.PAYER:
        return payer_customer_body(db.session.get(Payer, req.payer_id), req.display_name)
    return client_customer_body(db.session.get(Client, req.client_id), name_format, req.display_name,
                                req.parent_qbo_id if kind == LinkKind.CLIENT_UNDER_PAYER else None)


def _subject_label(kind, client_id, payer_id) -> str:
    if kind == LinkKind.PAYER:
        payer = db.session.get(Payer, payer_id)
        return payer.name if payer else f"Payer {payer_id}"
    client = db.session.get(Client, client_id)
    return client.full_name if client else f"Client {client_id}"


# --- sending -----------------------------------------------------------------------------------

def has_pending(realm_id: str) -> bool:
    """Is any creation of this realm waiting to be sent (a new one or a retry)?"""
    return db.session.scalar(select(PendingCreation.id).where(
        PendingCreation.realm_id == realm_id, PendingCreation.status == CreationStatus.PENDING)
        .limit(1)) is not None


def process_pending(qbo, realm_id: str, rows: list[PendingCreation] | None = None) -> CreationOutcome:
    """Send the PENDING rows (all of the realm's, or the given ones) and record every result."""
    outcome = CreationOutcome()
    if rows is None:
        rows = list(db.session.scalars(select(PendingCreation).where(
            PendingCreation.realm_id == realm_id, PendingCreation.status == CreationStatus.PENDING)
            .order_by(PendingCreation.id)))
    rows = [r for r in rows if r.status == CreationStatus.PENDING]
    try:
        rows = _adopt_existing(qbo, realm_id, [r for r in rows if r.ambiguous], outcome) + \
            [r for r in rows if not r.ambiguous]
    except QboError as error:
        outcome.error = plain_error(error)
        outcome.still_pending.extend(rows)
        return outcome
    groups: dict[str, list[PendingCreation]] = {}
    for row in sorted(rows, key=lambda r: r.id):
        groups.setdefault(row.request_id, []).append(row)
    for request_id, group in groups.items():
        group = _regroup_if_changed(request_id, group)
        if not _send_group(qbo, realm_id, group, outcome):
            # A whole-call failure (QBO down, throttled, token dead): stop; Save retries safely.
            sent = {r.id for r in group}
            for other in groups.values():
                outcome.still_pending.extend(r for r in other if r.id not in sent
                                             and r.status == CreationStatus.PENDING
                                             and r not in outcome.still_pending)
            break
    return outcome


def _regroup_if_changed(request_id: str, group: list[PendingCreation]) -> list[PendingCreation]:
    """Reuse the stored requestid only when exactly the rows it was first sent with remain pending;
    otherwise QBO would replay an answer about other rows. (Rows only leave a group by being
    adopted after a DisplayName check, so a fresh id for the rest cannot create a duplicate.)"""
    members = db.session.scalars(select(PendingCreation).where(
        PendingCreation.request_id == request_id)).all()
    if {r.id for r in members} == {r.id for r in group} and len(group) <= BATCH_LIMIT:
        return group
    new_id = _new_request_id()
    for n, row in enumerate(group):
        row.request_id, row.bid = new_id, f"c{n}"
    db.session.commit()
    return group


def _send_group(qbo, realm_id: str, group: list[PendingCreation], outcome: CreationOutcome) -> bool:
    items = [{"bId": row.bid, "operation": "create", "Customer": row.payload} for row in group]
    for row in group:
        row.attempts += 1
    db.session.commit()
    try:
        results = qbo.batch(items, request_id=group[0].request_id)
    except QboError as error:
        ambiguous = isinstance(error, TransientError) and error.ambiguous
        message = plain_error(error)
        for row in group:
            if isinstance(error, (TransientError, ThrottledError, AuthenticationError)):
                row.ambiguous = row.ambiguous or ambiguous
                row.last_error = message[:500]
                outcome.still_pending.append(row)
            else:  # the whole batch refused as invalid: nothing was created
                row.status, row.last_error = CreationStatus.FAILED, message[:500]
                outcome.failed.append(row)
        db.session.commit()
        outcome.error = message
        return False
    for row in group:
        result = results.get(row.bid)
        if result is None:
            row.ambiguous, row.last_error = True, "QuickBooks gave no answer for this customer."
            outcome.still_pending.append(row)
        elif result.ok:
            _complete(row, result.data or {}, LinkSource.CREATED, outcome.created, outcome)
        elif isinstance(result.error, DuplicateNameError):
            _name_taken(qbo, row, outcome)
        else:
            row.status, row.last_error = CreationStatus.FAILED, plain_error(result.error)[:500]
            outcome.failed.append(row)
        db.session.commit()
    return True


def find_customers_by_name(qbo, names: list[str]) -> dict[str, dict]:
    """Customers (active or not) whose DisplayName is one of `names`, keyed by DisplayName.
    Quotes are escaped with a backslash (PROTOCOL §3)."""
    found: dict[str, dict] = {}
    names = sorted(set(names))
    for start in range(0, len(names), 30):
        chunk = names[start:start + 30]
        where = f"DisplayName IN ({', '.join(quote(n) for n in chunk)}) AND Active IN (true, false)"
        for customer in qbo.query_all("Customer", where):
            found[customer.get("DisplayName", "")] = customer
    return found


def _adopt_existing(qbo, realm_id, rows, outcome) -> list[PendingCreation]:
    """After an ambiguous failure: adopt customers that were in fact created; return the rest."""
    if not rows:
        return []
    found = find_customers_by_name(qbo, [r.display_name for r in rows])
    rest = []
    for row in rows:
        customer = found.get(row.display_name)
        if customer is not None and not _same_parent(row, customer):
            customer = None        # someone else's customer: sending gives 6240 and the usual choice
        if customer is None:
            rest.append(row)       # surely not created: send again (same requestid if unchanged)
            continue
        _complete(row, customer, LinkSource.CREATED, outcome.adopted, outcome)
        db.session.commit()
    return rest


def _same_parent(row: PendingCreation, customer: dict) -> bool:
    """A sub-customer row may only adopt / link a customer under the same parent (the payer's)."""
    parent = (customer.get("ParentRef") or {}).get("value")
    return str(parent) == str(row.parent_qbo_id) if row.parent_qbo_id else not parent


def _name_taken(qbo, row: PendingCreation, outcome: CreationOutcome) -> None:
    row.status = CreationStatus.NAME_TAKEN
    row.last_error = (f"QuickBooks already has a customer, vendor or employee named "
                      f"“{row.display_name}”.")[:500]
    try:
        holder = find_customers_by_name(qbo, [row.display_name]).get(row.display_name)
    except QboError:
        holder = None
    if holder is not None and row.parent_qbo_id and not _same_parent(row, holder):
        holder = None   # e.g. the client's own top-level customer: not the sub-customer asked for
    row.conflict_customer_id = str(holder["Id"]) if holder else None
    if holder:
        upsert_copy(row.realm_id, holder)
    outcome.name_taken.append(row)


def _complete(row: PendingCreation, customer: dict, source: LinkSource, bucket: list,
              outcome: CreationOutcome) -> None:
    """Link the subject to the customer QBO created (or that we adopted)."""
    qbo_id = str(customer.get("Id"))
    upsert_copy(row.realm_id, customer)
    savepoint = db.session.begin_nested()
    try:
        db.session.add(CustomerLink(
            realm_id=row.realm_id, kind=LinkKind(row.link_kind), client_id=row.client_id,
            payer_id=row.payer_id, qbo_customer_id=qbo_id,
            qbo_display_name=customer.get("DisplayName") or row.display_name,
            source=source, linked_by_id=row.created_by_id))
        db.session.flush()
        savepoint.commit()
    except IntegrityError:
        savepoint.rollback()
        row.status, row.qbo_customer_id = CreationStatus.DONE, qbo_id
        row.last_error = ("The customer exists in QuickBooks, but this record was linked to another "
                          "customer meanwhile; check the link.")
        outcome.failed.append(row)
        return
    row.status, row.qbo_customer_id, row.last_error, row.ambiguous = CreationStatus.DONE, qbo_id, "", False
    _drop_proposal(row)
    bucket.append(row)


def _drop_proposal(row: PendingCreation) -> None:
    kind = ProposalKind.PAYER if row.link_kind == LinkKind.PAYER.value else ProposalKind.CLIENT
    subject = row.payer_id if kind == ProposalKind.PAYER else row.client_id
    payer_filter = MatchProposal.payer_id.is_(None)
    if row.link_kind == LinkKind.CLIENT_UNDER_PAYER.value:
        kind, subject, payer_filter = ProposalKind.PAIR, row.client_id, MatchProposal.payer_id == row.payer_id
    proposal = db.session.scalar(select(MatchProposal).where(
        MatchProposal.realm_id == row.realm_id, MatchProposal.kind == kind,
        MatchProposal.subject_id == subject, payer_filter))
    if proposal is not None:
        db.session.delete(proposal)


# --- the choices after 6240 --------------------------------------------------------------------

def suffixed_names(row: PendingCreation, taken: set[str]) -> list[str]:
    """Distinguishing names to offer: "Smith, John (2)" (the first number not known to be taken)
    and "Smith, John (<client code>)"."""
    base = re.sub(r" \(\d+\)$", "", row.display_name)
    options = []
    n = 2
    while f"{base} ({n})" in taken or f"{base} ({n})" == row.display_name:
        n += 1
    options.append(f"{base} ({n})")
    if row.payer_id and row.link_kind == LinkKind.CLIENT_UNDER_PAYER.value:
        payer = db.session.get(Payer, row.payer_id)
        if payer:
            named = clean_name(f"{base} ({payer.name})", DISPLAY_NAME_MAX)
            if named != row.display_name and named not in taken and not base.endswith(f"({payer.name})"):
                options.append(named)
    if row.client_id:
        client = db.session.get(Client, row.client_id)
        if client and client.code:
            coded = clean_name(f"{base} ({client.code})", DISPLAY_NAME_MAX)
            if coded != row.display_name:
                options.append(coded)
    return options


def link_to_conflict(row: PendingCreation, user_id: int | None) -> str | None:
    """"That customer IS this client": link to the customer holding the name. Returns an error."""
    if row.status != CreationStatus.NAME_TAKEN or not row.conflict_customer_id:
        return "There is no customer to link to for this name."
    copy = db.session.scalar(select(QboCustomerCopy).where(
        QboCustomerCopy.realm_id == row.realm_id, QboCustomerCopy.qbo_id == row.conflict_customer_id))
    customer = copy.data if copy else {"Id": row.conflict_customer_id, "DisplayName": row.display_name}
    outcome = CreationOutcome()
    row.created_by_id = user_id or row.created_by_id
    _complete(row, customer, LinkSource.MANUAL, outcome.adopted, outcome)
    db.session.commit()
    if outcome.failed:
        return f"“{row.display_name}” is already linked to another record."
    return None


def cancel(row: PendingCreation) -> None:
    """Forget a refused creation (nothing exists in QBO for it)."""
    if row.status in (CreationStatus.NAME_TAKEN, CreationStatus.FAILED):
        db.session.delete(row)
        db.session.commit()

