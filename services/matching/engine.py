"""Client <-> QuickBooks customer matching: blocking, pairwise scoring, global one-to-one assignment.

How a pair is judged
--------------------
1. Names. The client's given name (and preferred name) is compared with the customer's, giving a
   relation (exact, nickname, typo, initial, variant such as Jane/Janet, different); the surnames give
   another (exact, typo, part of a compound surname, different). Titles, suffixes, "Last, First" order,
   accents, punctuation and bookkeepers' disambiguators are normalised away before that.
2. Contact evidence. Same e-mail, same phone (digits), same street address (house number + street,
   unit when both have one) count for the pair; different values on both sides count against it.
   A value many customers share (a facility's phone or address) is not evidence at all.
3. Rules decide whether the pair may be pre-selected (`auto`): a strong name with nothing
   contradicting it; a weaker name (typo on both parts, initial) backed by e-mail or phone; a changed
   surname only with two pieces of contact evidence. A different given name (a relative at the same
   address) or a Jr/Sr mismatch is never proposed.
4. Global assignment: every plausible pair is sorted by score and each customer goes to at most one
   client; a client whose best customer went to a better-scoring client gets its next one, as `review`.
   Near ties (two clients fit one customer, or two customers one client) are `review`, never `auto`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from rapidfuzz import fuzz, process

from . import normalize as N
from .nicknames_index import direct_nicknames, shared_nicknames
from .names import FIRST_SIM, LAST_SIM, first_relation, last_relation, surname_similarity
from .records import ClientRecord, CustomerRecord

# --- thresholds ------------------------------------------------------------------------------------
# Internally a pair has a raw score: its name (0..100) plus or minus contact evidence, so raw may pass
# 100 (same name + same phone outranks same name alone). Shown scores are the raw squeezed into the
# band of the status, so the UI can show one number:
AUTO_MIN = 90        # an `auto` pair reaches at least this raw. An exact or nickname/typo-level name
                     # with nothing against it lands at 92-100; one phone/address contradiction (-14)
                     # takes an exact name to 86, so contradicted name-only matches need a human (the
                     # rules also refuse `auto` when contradictions outnumber agreements).
REVIEW_MIN = 60      # below this a candidate is not proposed (it may still appear as an alternative).
                     # A relative (different given name, same surname and address) is capped under it.
ALT_MIN = 40         # alternatives shown in the drop-down ordering must at least reach this.
AMBIGUITY_MARGIN = 8 # a best candidate must beat the runner-up (for the client, or another client
                     # for the customer) by this much to be `auto`: two equally good "John Smith"s
                     # are a coin toss, and a wrong auto match sends invoices to the wrong person.
SHARED_CONTACT_LIMIT = 3   # an e-mail/phone on more customers than this is a household's or an
                           # agency's, not a person's: no evidence either way.
SHARED_ADDRESS_LIMIT = 8   # same for a building (assisted-living facilities house many clients).
MAX_ALTERNATIVES = 5

# Points for contact evidence on top of the name's 0..100. E-mail and phone are a person's own more
# often than a street address is (relatives share it), hence the weights. A different e-mail costs
# least: people have several, and a relative's is often the one on file.
EVIDENCE_POINTS = {"email": 20, "phone": 18, "address": 12}
CONFLICT_POINTS = {"email": 10, "phone": 14, "address": 14}
MARRIED_NAME_POINTS = 85   # name credit for "same given name, other surname" once two contacts agree


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


# --- prepared records ------------------------------------------------------------------------------

@dataclass
class _Side:
    """One record with its names and contact details normalised once."""
    id: str
    label: str
    names: list[tuple[N.PersonName, str]]      # (name, where it came from) variants
    firsts: list[tuple[str, str]]              # (given name, how: "" | "preferred name" | "middle name")
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    building: str
    unit: str
    parent_note: str = ""


def _prepare_client(c: ClientRecord) -> _Side:
    name = N.parse_person(c.first_name, c.middle_name, c.last_name, c.suffix)
    firsts = [(name.first, "")]
    pref = N.parse_person(c.preferred_name).first if c.preferred_name else ""
    if pref and pref != name.first:
        firsts.append((pref, "preferred name"))
    for m in name.middles[:1]:
        if len(m) > 1:
            firsts.append((m, "middle name"))
    building, unit = N.norm_street(c.address_line1)
    label = " ".join(p for p in (c.first_name, c.last_name) if p).strip()
    return _Side(str(c.id), label, [(name, "")], firsts, N.split_emails(c.email),
                 tuple(p for p in (N.norm_phone(c.phone),) if p), building, unit)


def _prepare_customer(q: CustomerRecord) -> _Side:
    leaf = q.leaf_name
    names: list[tuple[N.PersonName, str]] = []
    parsed = N.parse_display_name(leaf)
    if not parsed.empty:
        names.append((parsed, ""))
    if q.given_name or q.family_name:
        structured = N.parse_person(q.given_name, q.middle_name, q.family_name, q.suffix)
        if not structured.empty and structured != parsed:
            names.append((structured, ""))
    if not names and q.company_name:
        names.append((N.parse_display_name(q.company_name), ""))
    # A surname written as two words without a hyphen ("Mary Smith Jones") reads as middle + last.
    for nm, how in list(names):
        if nm.middles and len(nm.middles[-1]) > 1:
            names.append((N.PersonName(nm.first, nm.middles[:-1], (nm.middles[-1],) + nm.last,
                                       nm.suffix, nm.notes), how))
    # Without a comma, "Smith John" may be surname first: keep the swapped reading as a weaker variant.
    for nm, how in list(names):
        if nm.first and len(nm.last) == 1 and not nm.middles and "last_first" not in nm.notes:
            names.append((N.PersonName(nm.last[0], (), (nm.first,), nm.suffix, nm.notes + ("swapped",)), how))
    building, unit = N.norm_street(q.bill_line1)
    parent_note = ""
    fqn = q.fully_qualified_name or ""
    if ":" in fqn and (q.is_job or q.parent_id):
        parent_note = "sub-customer of " + fqn.rsplit(":", 1)[0].strip()
    return _Side(str(q.id), q.display_name or leaf, names, [], N.split_emails(q.email),
                 tuple(p for p in (N.norm_phone(x) for x in q.phones) if p), building, unit, parent_note)


# Given-name relations that, with a related surname, make a customer worth judging.
_NAME_ONLY_OK = frozenset({"exact", "nickname", "typo", "nickname2", "initial", "missing"})


def _delete_keys(token: str) -> list[str]:
    """The token and every string one deletion away (SymSpell-style): two tokens within one edit or
    one adjacent swap of each other always share a key, so typos are found without comparing all pairs."""
    if len(token) < 4:
        return [token]
    return [token] + [token[:i] + token[i + 1:] for i in range(len(token))]


class CustomerIndex:
    """Active customers, prepared and indexed for candidate lookup. Build once, query many times."""

    def __init__(self, customers: Iterable[CustomerRecord]):
        self.records = [q for q in customers if q.active]
        self.sides = [_prepare_customer(q) for q in self.records]
        # surname key (token or one-deletion of it) -> given name -> customers with that pair
        self.by_name: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.by_contact: dict[str, list[int]] = defaultdict(list)
        self.first_names: set[str] = set()
        first_keys: dict[str, set[str]] = defaultdict(set)
        for i, s in enumerate(self.sides):
            pairs: set[tuple[str, str]] = set()
            for nm, _ in s.names:
                tokens = set(nm.last)
                if len(nm.last) > 1:
                    tokens.add(nm.last_joined)
                for tok in tokens:
                    for k in _delete_keys(tok):
                        pairs.add((k, nm.first))
                if nm.first:
                    self.first_names.add(nm.first)
            for k, first in pairs:
                self.by_name[k][first].append(i)
            contact = {"e:" + e for e in s.emails} | {"p:" + p for p in s.phones}
            if s.building:
                contact.add("a:" + s.building)
            for k in contact:
                self.by_contact[k].append(i)
        for f in self.first_names:
            for k in _delete_keys(f):
                first_keys[k].add(f)
        self._first_keys = first_keys
        self._compatible: dict[str, tuple[str, ...]] = {}
        self._labels: list[str] | None = None

    def compatible_firsts(self, first: str) -> tuple[str, ...]:
        """Customers' given names that could be this one (same, nickname, typo, initial, none at all):
        the only ones worth a full comparison when the surname is all the pair shares."""
        got = self._compatible.get(first)
        if got is None:
            pool = {"", first, first[:1]} | set(direct_nicknames(first)) | set(shared_nicknames(first))
            for k in _delete_keys(first):
                pool.update(self._first_keys.get(k, ()))
            if len(first) == 1:
                pool.update(f for f in self.first_names if f[:1] == first)
            got = tuple(f for f in pool if f == "" or first_relation(first, f) in _NAME_ONLY_OK)
            self._compatible[first] = got
        return got

    def shared(self, key: str) -> bool:
        n = len(self.by_contact.get(key, ()))
        return n > (SHARED_ADDRESS_LIMIT if key.startswith("a:") else SHARED_CONTACT_LIMIT)

    def candidates(self, client: _Side) -> set[int]:
        """Customers sharing a surname (up to one edit) *and* a compatible given name, plus customers
        sharing an e-mail, phone or building with the client."""
        found: set[int] = set()
        nm = client.names[0][0]
        tokens = set(nm.last)
        if len(nm.last) > 1:
            tokens.add(nm.last_joined)
        firsts: set[str] = set()
        for f, how in client.firsts:
            if how != "middle name":
                firsts.update(self.compatible_firsts(f))
        for tok in tokens:
            for k in _delete_keys(tok):
                block = self.by_name.get(k)
                if block:
                    for f in firsts:
                        ids = block.get(f)
                        if ids:
                            found.update(ids)
        keys = ["e:" + e for e in client.emails] + ["p:" + p for p in client.phones]
        if client.building:
            keys.append("a:" + client.building)
        for k in keys:
            if not self.shared(k):
                found.update(self.by_contact.get(k, ()))
        return found

    def labels(self) -> list[str]:
        if self._labels is None:
            self._labels = [N.fold(s.label) for s in self.sides]
        return self._labels


# --- pair scoring ----------------------------------------------------------------------------------

@dataclass
class _Judgement:
    score: float           # raw: may exceed 100 when a good name also has contact evidence
    level: str             # best status the pair may get: "auto" | "review" | "none"
    reason: str
    name_sim: float = 0.0  # the name part alone, 0..1
    contradicted: bool = False
    evidence: tuple[str, ...] = ()


def _title(s: str) -> str:
    return s.title() if s else s


def _compare_names(client: _Side, cust: _Side):
    """Best (similarity 0..1, first relation, last relation, notes, customer name) over name variants."""
    best = None
    cname = client.names[0][0]
    for qname, _ in cust.names:
        lrel = last_relation(cname.last, qname.last)
        for first, how in client.firsts:
            frel = first_relation(first, qname.first)
            if how == "middle name" and frel != "exact":
                continue
            fsim = FIRST_SIM[frel]
            if how == "middle name":
                fsim = 0.3   # weak: a relative may be called what the client's middle name is
            if lrel == "different":
                lsim = 0.5 * surname_similarity(cname.last_joined, qname.last_joined)
            else:
                lsim = LAST_SIM[lrel]
            sim = 0.45 * fsim + 0.55 * lsim
            if "swapped" in qname.notes:
                sim -= 0.03
            if best is None or sim > best[0]:
                best = (sim, frel, lrel, how, first, qname)
    return best


def _judge(client: _Side, cust: _Side, index: CustomerIndex) -> _Judgement | None:
    best = _compare_names(client, cust)
    if best is None:
        return None
    sim, frel, lrel, how, cfirst, qname = best
    cname = client.names[0][0]
    why: list[str] = []

    # --- contact evidence
    pos: list[str] = []
    neg: list[str] = []
    for label, key, mine, theirs in (("email", "e:", client.emails, cust.emails),
                                     ("phone", "p:", client.phones, cust.phones)):
        if mine and theirs:
            common = set(mine) & set(theirs)
            if not common:
                neg.append(label)
            elif not index.shared(key + next(iter(common))):  # a value many customers share proves nothing
                pos.append(label)
    if client.building and cust.building:
        if client.building == cust.building and (not client.unit or not cust.unit or client.unit == cust.unit):
            if not index.shared("a:" + cust.building):
                pos.append("address")
        else:
            neg.append("address")

    # --- name description
    strong_first = frel in ("exact", "nickname") or (frel == "typo" and lrel == "exact")
    strong_last = lrel in ("exact", "typo", "part")
    if frel == "nickname":
        why.append(f"nickname {_title(cfirst)} → {_title(qname.first)}")
    elif frel == "nickname2":
        why.append(f"related names {_title(cfirst)} / {_title(qname.first)}")
    elif frel == "typo":
        why.append(f"given name typo {_title(qname.first)} ≈ {_title(cfirst)}")
    elif frel == "initial":
        why.append(f"initial {qname.first.upper() or cfirst[:1].upper()}.")
    elif frel == "variant":
        why.append(f"different given name {_title(cfirst)} / {_title(qname.first)}")
    elif frel == "different":
        why.append(f"different given name {_title(cfirst)} / {_title(qname.first) or '—'}")
    elif frel == "missing":
        why.append("no given name in QuickBooks")
    if how == "preferred name":
        why.append(f"preferred name {_title(cfirst)}")
    elif how == "middle name":
        why.append(f"goes by middle name {_title(cfirst)}")
    if lrel == "typo":
        why.append(f"surname typo {_title(qname.last_joined)} ≈ {_title(cname.last_joined)}")
    elif lrel in ("part", "part_typo"):
        why.append(f"surname part {'-'.join(map(_title, cname.last))} → {'-'.join(map(_title, qname.last))}")
    elif lrel == "different":
        why.append(f"surname differs {'-'.join(map(_title, cname.last))} → {'-'.join(map(_title, qname.last)) or '—'}")
    if frel == "exact" and lrel == "exact":
        why.insert(0, "same name")
    for note, text in (("last_first", '"Last, First"'), ("title", "title dropped"),
                       ("disambiguator", "disambiguator dropped"), ("swapped", "surname first")):
        if note in qname.notes:
            why.append(text)
    # Middle names: initials that differ are two people more often than a typo.
    middle_conflict = False
    if cname.middles and qname.middles:
        if cname.middles[0][0] != qname.middles[0][0]:
            middle_conflict = True
            why.append("middle names differ")
        elif len(qname.middles[0]) == 1 or len(cname.middles[0]) == 1:
            why.append("middle initial")
    suffix_conflict = bool(cname.suffix and qname.suffix and cname.suffix != qname.suffix)
    if suffix_conflict:
        why.append(f"{cname.suffix.title()} vs {qname.suffix.title()}")
    if cust.parent_note:
        why.append(cust.parent_note)

    # --- raw score: the name gives up to 100, contact evidence adds or takes away on top. Raw scores
    # above 100 are kept for ranking and tie checks (exact name + same phone beats exact name alone).
    score = 100 * sim
    if middle_conflict:
        score -= 8
    score += sum(EVIDENCE_POINTS[k] for k in pos)
    score -= sum(CONFLICT_POINTS[k] for k in neg)
    for k in pos:
        why.append("same " + ("e-mail" if k == "email" else k))
    for k in neg:
        why.append("different " + ("e-mail" if k == "email" else k))

    strong_contact = [k for k in pos if k in ("email", "phone")]
    net_ok = not neg or len(pos) > len(neg)
    level = "review"
    if suffix_conflict or frel in ("different", "variant") and how != "preferred name":
        # A relative (same surname, same home) or father/son: never proposed on its own.
        level = "none"
    elif how == "middle name":
        level = "review" if strong_contact else "none"
    elif strong_first and strong_last and not (frel == "typo" and lrel == "typo"):
        if net_ok and (not middle_conflict or ("email" in pos and not neg)):
            level = "auto"
    elif frel in ("exact", "nickname") and lrel == "different":
        # Changed surname (marriage) or a wrong one: only contact details can tell. With two of them
        # the pair counts as a good name (85) plus its evidence, so it outranks a same-name stranger.
        if len(pos) >= 2 and strong_contact and not neg:
            level = "auto"
            why.insert(0, "surname changed?")
            score = max(score, MARRIED_NAME_POINTS + sum(EVIDENCE_POINTS[k] for k in pos))
        elif not (strong_contact and not neg):
            level = "none"
    elif frel in ("typo", "nickname2", "initial", "exact", "nickname") and (strong_last or lrel == "part_typo"):
        # Two weak name signals (typo + typo, initial, shared nickname): e-mail or phone must back them.
        # A shared nickname (Hannah/Joan via Johanna) is too loose for a household's phone/address alone.
        if strong_contact and not neg and (frel != "initial" or "email" in pos or len(pos) >= 2) \
                and (frel != "nickname2" or "email" in pos):
            level = "auto"
    elif not (strong_contact and not neg):
        level = "none"
    if level == "auto" and score < AUTO_MIN:
        level = "review"
    if level == "review" and score < REVIEW_MIN:
        level = "none"
    return _Judgement(score, level, "; ".join(dict.fromkeys(why)) or "name", sim, bool(neg),
                      tuple(pos))


def _display_score(raw: float, level: str) -> int:
    """The raw score squeezed into the band of its status (auto 90-100, review 60-89, none 0-59)."""
    if level == "auto":
        return int(round(min(100.0, max(raw, AUTO_MIN))))
    if level == "review":
        return int(round(min(max(raw, REVIEW_MIN), AUTO_MIN - 1)))
    return int(round(max(0.0, min(raw, REVIEW_MIN - 1))))


# --- public API ------------------------------------------------------------------------------------

@dataclass
class _Cand:
    raw: float
    qi: int
    level: str
    reason: str
    name_sim: float
    contradicted: bool
    evidence: tuple[str, ...]


def _scored_candidates(cside: _Side, index: CustomerIndex) -> list[_Cand]:
    out = []
    for i in index.candidates(cside):
        j = _judge(cside, index.sides[i], index)
        if j is not None and j.score >= ALT_MIN:
            out.append(_Cand(j.score, i, j.level, j.reason, j.name_sim, j.contradicted, j.evidence))
    out.sort(key=lambda t: (-t.raw, index.sides[t.qi].id))
    return out


def match_clients(clients: Sequence[ClientRecord], customers: Iterable[CustomerRecord] | CustomerIndex
                  ) -> list[Proposal]:
    """One Proposal per client, in input order. Inactive clients get status "none"."""
    index = customers if isinstance(customers, CustomerIndex) else CustomerIndex(customers)
    # Inactive clients are scored too, but only as rivals: a customer that plainly belongs to a
    # former client (same e-mail, say) must not be pre-selected for an active namesake.
    per_client: list[list[_Cand]] = [_scored_candidates(_prepare_client(c), index) for c in clients]

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
                              contact_of)
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
                             f"({_display_score(top.raw, top.level)}): {top.reason}"
            proposals.append(Proposal(str(c.id), None, 0, "none", reason, _alternatives(cands, None, index)))
            continue
        cand = chosen[ci]
        status, notes = decided[ci]
        full_reason = "; ".join([cand.reason] + notes)
        proposals.append(Proposal(str(c.id), index.sides[cand.qi].id, _display_score(cand.raw, status),
                                  status, full_reason, _alternatives(cands, cand.qi, index)))
    return proposals


def _decide(ci: int, cand: _Cand, cands: list[_Cand], clients, index: CustomerIndex, chosen: dict,
            taken: dict, fits: dict, confident: set, contact_of: dict) -> tuple[str, list[str]]:
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
        notes.append(f"also close: {index.sides[other.qi].label}")
        status = "review"
        break
    # A customer whose name is clearly closer, with nothing against it, lost only on contact details
    # the other one has: the details may be a relative's (Hannah at Joan's phone), so ask. A shared
    # e-mail address is a person's own, and settles it.
    for other in cands:
        if "email" in cand.evidence:
            break
        if other.qi == cand.qi or other.level == "none" or other.contradicted:
            continue
        if other.name_sim >= cand.name_sim + 0.02 and not explained_customer(other.qi, other.raw):
            notes.append(f"closer name: {index.sides[other.qi].label}")
            status = "review"
            break
    # Two customers of one household (same building or phone) whose names both fit: the shared
    # details cannot tell them apart (John Smith and his son Jack at one address).
    chosen_side = index.sides[cand.qi]
    for other in cands:
        if other.qi == cand.qi or other.level == "none" or explained_customer(other.qi, other.raw):
            continue
        o = index.sides[other.qi]
        if (chosen_side.building and chosen_side.building == o.building) or \
                set(chosen_side.phones) & set(o.phones):
            notes.append(f"same household as {o.label}")
            status = "review"
            break
    # The customer's e-mail or phone is another client's, and nothing but the name ties it to this one
    # (a married client's old name taken by a namesake).
    if not ({"email", "phone"} & set(cand.evidence)):
        others = sorted(contact_of.get(cand.qi, set()) - {ci})
        if others:
            notes.append(f"its contact details are client {clients[others[0]].id}'s")
            status = "review"
    # Another client fits this customer about as well, and has no confident customer of its own.
    for raw, other_ci in fits[cand.qi]:
        if other_ci == ci or cand.raw - raw >= AMBIGUITY_MARGIN or explained_client(other_ci, raw):
            continue
        notes.append(f"customer also fits {'former ' if not clients[other_ci].active else ''}"
                     f"client {clients[other_ci].id}")
        status = "review"
        break
    return status, notes


def _alternatives(cands: list[_Cand], chosen_qi, index: CustomerIndex) -> list[Alternative]:
    return [Alternative(index.sides[t.qi].id, _display_score(t.raw, t.level), t.reason)
            for t in cands if t.qi != chosen_qi][:MAX_ALTERNATIVES]


def rank_candidates(client: ClientRecord, customers: Iterable[CustomerRecord] | CustomerIndex,
                    limit: int = 10) -> list[tuple[str, int, str]]:
    """Customers ranked for one client's drop-down: (customer_id, score, reason), best first.

    Scored candidates come first; the list is filled up to `limit` with the customers whose display
    names are closest (token_set_ratio), so a user can still find a customer the rules reject."""
    index = customers if isinstance(customers, CustomerIndex) else CustomerIndex(customers)
    side = _prepare_client(client)
    out = [(index.sides[t.qi].id, _display_score(t.raw, t.level), t.reason)
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
