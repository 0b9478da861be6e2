"""Client <-> QuickBooks customer matching: candidates, pairwise judgement, one-to-one assignment.

How a pair is judged is in scoring.py; which customers are judged for a client in index.py; what a
customer's name carries besides the person's name in conventions.py. Here every plausible pair is
sorted by score and each customer goes to at most one client; a client whose best customer went to
a better-scoring client gets its next one, as `review`. Near ties (two clients fit one customer, or
two customers one client), a household with two fitting customers, a closer-named rival, a former
client who fits as well, contact details or a client number that belong to another client: each
keeps a would-be `auto` at `review`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from rapidfuzz import fuzz, process

from . import normalize as N
from .conventions import code_digits, number_fits_code
from .gcpause import no_cycle_collection
from .index import SHARED_ADDRESS_LIMIT, SHARED_CONTACT_LIMIT, CustomerIndex
from .records import ClientRecord, CustomerRecord
from .scoring import ALT_MIN, AMBIGUITY_MARGIN, AUTO_MIN, REVIEW_MIN, Judgement, display_score, judge
from .sides import Side, prepare_client

__all__ = ["ALT_MIN", "AMBIGUITY_MARGIN", "AUTO_MIN", "REVIEW_MIN", "SHARED_ADDRESS_LIMIT",
           "SHARED_CONTACT_LIMIT", "MAX_ALTERNATIVES", "Alternative", "CustomerIndex", "Proposal",
           "explain_pair", "match_clients", "rank_candidates"]

MAX_ALTERNATIVES = 5


@dataclass
class Alternative:
    customer_id: str
    score: int
    reason: str


@dataclass
class Proposal:
    client_id: str
    customer_id: str | None
    score: int
    status: str            # "auto" | "review" | "none"
    reason: str
    alternatives: list[Alternative] = field(default_factory=list)


# --- public API ------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Cand:
    raw: float
    qi: int
    level: str
    judgement: Judgement
    name_sim: float
    contradicted: bool
    evidence: tuple[str, ...]

    @property
    def reason(self) -> str:
        return self.judgement.reason


def _scored_candidates(cside: Side, index: CustomerIndex, surnames: frozenset[str] = frozenset(),
                       names: dict | None = None) -> list[_Cand]:
    out = []
    for i in index.candidates(cside):
        j = judge(cside, index.sides[i], index, surnames, names)
        if j is not None and j.score >= ALT_MIN:
            out.append(_Cand(j.score, i, j.level, j, j.name_sim, j.contradicted, j.evidence))
    out.sort(key=lambda t: (-t.raw, index.sides[t.qi].id))
    return out


def match_clients(clients: Sequence[ClientRecord], customers: Iterable[CustomerRecord] | CustomerIndex
                  ) -> list[Proposal]:
    """One Proposal per client, in input order. Inactive clients get status "none"."""
    with no_cycle_collection():
        return _match(clients, customers if isinstance(customers, CustomerIndex) else CustomerIndex(customers))


def _match(clients: Sequence[ClientRecord], index: CustomerIndex) -> list[Proposal]:
    # Inactive clients are scored too, but only as rivals: a customer that plainly belongs to a
    # former client (same e-mail, say) must not be pre-selected for an active namesake.
    sides = [prepare_client(c) for c in clients]
    name_ids: dict = {}
    for s in sides:
        s.name_id = name_ids.setdefault((s.names[0][0], tuple(s.firsts)), len(name_ids))
    # Another client's surname is a real surname: one letter from it is a look-alike, not a typo.
    surnames = frozenset(s.names[0][0].last_joined for s in sides)
    names: dict = {}   # (client name_id, customer name_id) -> what the names say, for this run
    per_client: list[list[_Cand]] = [_scored_candidates(s, index, surnames, names) for s in sides]
    code_owner = _code_owners(sides)

    # Global assignment: best pairs first; each customer to one client, each client one customer.
    fits: dict[int, list[tuple[float, int]]] = defaultdict(list)   # customer -> [(raw, client)]
    for ci, cands in enumerate(per_client):
        for cand in cands:
            if cand.level != "none":
                fits[cand.qi].append((cand.raw, ci))
    pairs = [(cand.raw, ci, cand) for ci, cands in enumerate(per_client) if clients[ci].active
             for cand in cands if cand.level != "none"]
    pairs.sort(key=lambda t: (-t[0], t[1], t[2].qi))
    taken: dict[int, int] = {}
    chosen: dict[int, _Cand] = {}
    for raw, ci, cand in pairs:
        if ci not in chosen and cand.qi not in taken:
            taken[cand.qi] = ci
            chosen[ci] = cand

    # Customers whose e-mail or phone is some client's: evidence of whose they are.
    contact_of: dict[int, set[int]] = defaultdict(set)
    for ci, cands in enumerate(per_client):
        for cand in cands:
            if "email" in cand.evidence or "phone" in cand.evidence:
                contact_of[cand.qi].add(ci)
    # Statuses are settled in two passes: a rival counts as "explained" (it has its own, clearly
    # better customer) only if that pick of its own was confident in the first pass.
    confident = {ci for ci, cand in chosen.items() if cand.level == "auto"}
    for _ in range(2):
        decided = {ci: _decide(ci, chosen[ci], per_client[ci], clients, index, chosen, taken, fits, confident,
                              contact_of, code_owner)
                   for ci in chosen}
        confident = {ci for ci, (status, _) in decided.items() if status == "auto"}

    proposals = []
    for ci, c in enumerate(clients):
        cands = per_client[ci]
        if not c.active:
            proposals.append(Proposal(str(c.id), None, 0, "none", "inactive client"))
            continue
        if ci not in chosen:
            reason = "no customer with a similar name or the same contact details"
            if cands:
                top = cands[0]
                owner = taken.get(top.qi)
                if top.level != "none" and owner is not None:
                    reason = f"closest customer {index.sides[top.qi].label} went to client {clients[owner].id}"
                else:
                    reason = f"closest customer {index.sides[top.qi].label} " \
                             f"({display_score(top.raw, top.level)}): {top.reason}"
            proposals.append(Proposal(str(c.id), None, 0, "none", reason, _alternatives(cands, None, index)))
            continue
        cand = chosen[ci]
        status, notes = decided[ci]
        full_reason = "; ".join([cand.reason] + notes)
        proposals.append(Proposal(str(c.id), index.sides[cand.qi].id, display_score(cand.raw, status),
                                  status, full_reason, _alternatives(cands, cand.qi, index)))
    return proposals


def _code_owners(sides: list[Side]) -> dict[str, int]:
    """Number as it may be written in a name ("c1045", and "1045" when 3+ digits) -> client index."""
    owners: dict[str, int] = {}
    for ci, s in enumerate(sides):
        if s.code:
            owners.setdefault(s.code, ci)
            digits = code_digits(s.code)
            if len(digits) >= 3 and number_fits_code(digits, s.code):
                owners.setdefault(digits, ci)
    return owners


def _decide(ci: int, cand: _Cand, cands: list[_Cand], clients, index: CustomerIndex, chosen: dict,
            taken: dict, fits: dict, confident: set, contact_of: dict, code_owner: dict
            ) -> tuple[str, list[str]]:
    """Final status of a client's assigned customer, and notes on why it was demoted."""

    def explained_client(other: int, raw_here: float) -> bool:
        """The other client confidently has its own customer, fitting it clearly better than this one."""
        mine = chosen.get(other)
        return other in confident and mine.raw >= raw_here + AMBIGUITY_MARGIN

    def explained_customer(qi: int, raw_here: float) -> bool:
        """The other customer went, confidently, to a client it fits clearly better than this one."""
        owner = taken.get(qi)
        if owner is None or owner == ci or owner not in confident:
            return False
        return chosen[owner].raw >= raw_here + AMBIGUITY_MARGIN

    def fit(client: int, qi: int) -> float | None:
        return next((raw for raw, other in fits.get(qi, ()) if other == client), None)

    def swap_worse(owner: int, owner_qi: int, raw_mine_theirs: float) -> bool:
        """This client and `owner` both fit both customers (this one's and `owner`'s): exchanging
        them scores clearly worse than the assignment made, so the pair settles itself (two Mary
        Denleys: "Mary A. Denley" fits the one whose middle name is Aaron). When the two
        assignments score about the same (two Willie Greens, two name-only customers), nothing
        tells which is which, and it stays at review."""
        theirs = chosen.get(owner)
        if owner == ci or theirs is None or theirs.qi != owner_qi or theirs.level != "auto":
            return False
        raw_theirs_mine = fit(owner, cand.qi)
        if raw_theirs_mine is None:
            return False
        return cand.raw + theirs.raw - raw_mine_theirs - raw_theirs_mine >= AMBIGUITY_MARGIN

    def namesakes_customer(qi: int, raw_here: float) -> bool:
        """The other customer went to another client whom it fits at least as well as this one: a
        namesake's (two clients called Linda Brown). When this client's own customer carries its
        contact details, a name the two clients share says nothing for this one."""
        owner = taken.get(qi)
        return owner is not None and owner != ci and chosen[owner].raw >= raw_here

    status = cand.level
    notes: list[str] = []
    best_here = next(t for t in cands if t.level != "none")
    if best_here.raw > cand.raw and best_here.qi in taken:
        notes.append(f"best candidate {index.sides[best_here.qi].label} went to client "
                     f"{clients[taken[best_here.qi]].id}")
        status = "review"
    # Near ties: another customer fits this client about as well, and is not clearly someone else's.
    for other in cands:
        if other.qi == cand.qi or cand.raw - other.raw >= AMBIGUITY_MARGIN:
            continue
        if other.level == "none" or explained_customer(other.qi, other.raw):
            continue
        if other.qi in taken and swap_worse(taken[other.qi], other.qi, other.raw):
            continue
        notes.append(f"also close: {index.sides[other.qi].label}")
        status = "review"
        break
    # A customer whose name is clearly closer, with nothing against it, lost only on contact details
    # the other one has: the details may be a relative's (Hannah at Joan's phone), so ask. A shared
    # e-mail address is a person's own, and settles it; so does the phone when the name is the
    # client's own, misspelt at most (Rboert Taylor at Robert's phone; the plain "Robert Taylor" is a
    # namesake's) - not a nickname: Robert's son Bob lives at Robert's phone.
    for other in cands:
        if "email" in cand.evidence or "code" in cand.evidence or \
                ("phone" in cand.evidence and cand.judgement.own_name):
            break
        if other.qi == cand.qi or other.level == "none" or other.contradicted:
            continue
        if other.name_sim >= cand.name_sim + 0.02 and not explained_customer(other.qi, other.raw) \
                and not (({"phone", "address"} & set(cand.evidence)) and namesakes_customer(other.qi, other.raw)):
            notes.append(f"closer name: {index.sides[other.qi].label}")
            status = "review"
            break
    # Two customers of one household (same building or phone) whose names both fit: the shared
    # details cannot tell them apart (John Smith and his son Jack at one address).
    chosen_side = index.sides[cand.qi]
    for other in cands:
        if "code" in cand.evidence:
            break
        if other.qi == cand.qi or other.level == "none" or explained_customer(other.qi, other.raw):
            continue
        o = index.sides[other.qi]
        if (chosen_side.building and chosen_side.building == o.building) or \
                set(chosen_side.phones) & set(o.phones):
            notes.append(f"same household as {o.label}")
            status = "review"
            break
    # The customer's e-mail or phone is another client's, and nothing but the name ties it to this one
    # (a married client's old name taken by a namesake). A customer kept "care of" someone carries
    # that person's details, so there they say nothing.
    if not ({"email", "phone", "code"} & set(cand.evidence)) and not index.sides[cand.qi].care[0]:
        others = sorted(contact_of.get(cand.qi, set()) - {ci})
        if others:
            notes.append(f"its contact details are client {clients[others[0]].id}'s")
            status = "review"
    # The name carries another client's number (the client's own would be evidence, not this).
    if "code" not in cand.evidence:
        owner = next((code_owner[n] for n in chosen_side.numbers if code_owner.get(n, ci) != ci), None)
        if owner is not None:
            notes.append(f"its client number is client {clients[owner].id}'s")
            status = "review"
    # Another client fits this customer about as well, and has no confident customer of its own.
    for raw, other_ci in fits[cand.qi]:
        if other_ci == ci or cand.raw - raw >= AMBIGUITY_MARGIN or explained_client(other_ci, raw):
            continue
        theirs = chosen.get(other_ci)
        mine_theirs = fit(ci, theirs.qi) if theirs is not None else None
        if mine_theirs is not None and swap_worse(other_ci, theirs.qi, mine_theirs):
            continue
        notes.append(f"customer also fits {'former ' if not clients[other_ci].active else ''}"
                     f"client {clients[other_ci].id}")
        status = "review"
        break
    return status, notes


def _alternatives(cands: list[_Cand], chosen_qi, index: CustomerIndex) -> list[Alternative]:
    # Cut before wording: a reason is put together only for the alternatives kept.
    kept = [t for t in cands if t.qi != chosen_qi][:MAX_ALTERNATIVES]
    return [Alternative(index.sides[t.qi].id, display_score(t.raw, t.level), t.reason) for t in kept]


def rank_candidates(client: ClientRecord, customers: Iterable[CustomerRecord] | CustomerIndex,
                    limit: int = 10) -> list[tuple[str, int, str]]:
    """Customers ranked for one client's drop-down: (customer_id, score, reason), best first.

    Scored candidates come first; the list is filled up to `limit` with the customers whose display
    names are closest (token_set_ratio), so a user can still find a customer the rules reject."""
    index = customers if isinstance(customers, CustomerIndex) else CustomerIndex(customers)
    side = prepare_client(client)
    out = [(index.sides[t.qi].id, display_score(t.raw, t.level), t.reason)
           for t in _scored_candidates(side, index)]
    if len(out) < limit and index.sides:
        seen = {cid for cid, _, _ in out}
        query = N.fold(" ".join(p for p in (client.first_name, client.last_name) if p))
        for _, sim, qi in process.extract(query, index.labels(), scorer=fuzz.token_set_ratio,
                                          limit=limit + len(seen)):
            cid = index.sides[qi].id
            if cid not in seen:
                out.append((cid, int(min(sim * 0.5, ALT_MIN - 1)), "similar display name"))
                seen.add(cid)
            if len(out) >= limit:
                break
    return out[:limit]


def explain_pair(client: ClientRecord, customer: CustomerRecord,
                 index: CustomerIndex | None = None) -> tuple[int, str, str]:
    """(score, status, reason) of one client against one customer a person chose: the Score and
    Why of a changed row. `index` (the company's, if at hand) tells which contact details many
    customers share; the pair's own rivals are not weighed (the person has decided)."""
    index = index if index is not None else CustomerIndex([customer])
    side = prepare_client(client)
    if not customer.active:
        return 0, "none", "inactive in QuickBooks"
    cust = next((s for s in index.sides if s.id == str(customer.id)), None) or \
        CustomerIndex([customer]).sides[0]
    judgement = judge(side, cust, index)
    if judgement is None:
        return 0, "none", "no name in common"
    return display_score(judgement.score, judgement.level), judgement.level, judgement.reason
