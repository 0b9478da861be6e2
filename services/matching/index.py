"""Prepared, indexed customers: which of them are worth judging against a given client."""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Iterable

from . import normalize as N
from .conventions import code_digits
from .gcpause import no_cycle_collection
from .names import first_relation
from .nicknames_index import direct_nicknames, shared_nicknames
from .records import CustomerRecord
from .sides import Side, prepare_customer

SHARED_CONTACT_LIMIT = 3   # an e-mail/phone on more customers than this is a household's or an
                           # agency's, not a person's: no evidence either way.
SHARED_ADDRESS_LIMIT = 8   # same for a building (assisted-living facilities house many clients).

# Given-name relations that, with a related surname, make a customer worth judging.
_NAME_ONLY_OK = frozenset({"exact", "nickname", "typo", "nickname2", "initial", "missing"})


@lru_cache(maxsize=200_000)
def delete_keys(token: str) -> tuple[str, ...]:
    """The token and every string one deletion away (SymSpell-style): two tokens within one edit or
    one adjacent swap of each other always share a key, so typos are found without comparing all pairs."""
    if len(token) < 4:
        return (token,)
    return tuple(dict.fromkeys([token] + [token[:i] + token[i + 1:] for i in range(len(token))]))


def number_key(number: str) -> str:
    """Index key of a number written in a name, or of a client code: its digits, 3 or more."""
    digits = code_digits(number)
    return "k:" + digits if len(digits) >= 3 else ""


class CustomerIndex:
    """Active customers, prepared and indexed for candidate lookup. Build once, query many times."""

    def __init__(self, customers: Iterable[CustomerRecord]):
        with no_cycle_collection():
            self._build(customers)

    def _build(self, customers: Iterable[CustomerRecord]) -> None:
        self.records = [q for q in customers if q.active]
        self.sides = [prepare_customer(q) for q in self.records]
        # surname token -> given name -> customers with that pair; family-name-first readings apart
        # (found by their exact surname only). Typos are found through the surnames' deletion keys,
        # worked out once per distinct surname rather than once per customer.
        self.by_surname: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.by_swapped_surname: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.by_contact: dict[str, list[int]] = defaultdict(list)
        self.first_names: set[str] = set()
        name_ids: dict = {}
        for i, s in enumerate(self.sides):
            s.name_id = name_ids.setdefault(tuple(s.names), len(name_ids))
            self._index_names(i, s)
            contact = {"e:" + e for e in s.emails} | {"p:" + p for p in s.phones}
            contact |= {k for k in map(number_key, s.numbers) if k}
            if s.building:
                contact.add("a:" + s.building)
            for k in contact:
                self.by_contact[k].append(i)
        surname_keys: dict[str, list[str]] = defaultdict(list)   # deletion key -> surnames having it
        for tok in self.by_surname:
            for k in delete_keys(tok):
                surname_keys[k].append(tok)
        self._surname_keys = surname_keys
        first_keys: dict[str, set[str]] = defaultdict(set)
        for f in self.first_names:
            for k in delete_keys(f):
                first_keys[k].add(f)
        self._first_keys = first_keys
        self._compatible: dict[str, tuple[str, ...]] = {}
        self._name_blocks: dict[tuple, frozenset[int]] = {}
        self._labels: list[str] | None = None

    def _index_names(self, i: int, s: Side) -> None:
        pairs: set[tuple[str, str, bool]] = set()
        # Surnames this customer also carries with a given name ("Emily Smith" whose name fields hold
        # only FamilyName "Smith"): the reading without one adds nothing to find it by, and would make
        # it a candidate of every Smith client (the blocks of common surnames grew with the list).
        named = {nm.last for nm, _ in s.names if nm.first}
        for nm, _ in s.names:
            if not nm.first and nm.last in named:
                continue
            tokens = set(nm.last)
            if len(nm.last) > 1:
                tokens.add(nm.last_joined)
            # A family-name-first reading is found by its exact surname only: typo tolerance on
            # both readings would double the index for a rare convention.
            swapped = "swapped" in nm.notes or "swapped_given" in nm.notes
            for tok in tokens:
                pairs.add((tok, nm.first, swapped))
            if nm.first:
                self.first_names.add(nm.first)
        for tok, first, swapped in pairs:
            (self.by_swapped_surname if swapped else self.by_surname)[tok][first].append(i)

    def compatible_firsts(self, first: str) -> tuple[str, ...]:
        """Customers' given names that could be this one (same, nickname, typo, initial, none at all):
        the only ones worth a full comparison when the surname is all the pair shares."""
        got = self._compatible.get(first)
        if got is None:
            pool = {"", first, first[:1]} | set(direct_nicknames(first)) | set(shared_nicknames(first))
            for k in delete_keys(first):
                pool.update(self._first_keys.get(k, ()))
            if len(first) == 1:
                pool.update(f for f in self.first_names if f[:1] == first)
            got = tuple(f for f in pool if f == "" or first_relation(first, f) in _NAME_ONLY_OK)
            self._compatible[first] = got
        return got

    def shared(self, key: str) -> bool:
        n = len(self.by_contact.get(key, ()))
        return n > (SHARED_ADDRESS_LIMIT if key.startswith("a:") else SHARED_CONTACT_LIMIT)

    def candidates(self, client: Side) -> set[int]:
        """Customers worth judging: those sharing an e-mail, phone, building or the client's number,
        and those whose surname (or a part of it) is within one edit of the client's *and* whose
        given name is compatible (same, nickname, typo, initial, none). Blocks are keyed by both, so
        a client pulls its few namesakes, never a whole surname's customers."""
        nm = client.names[0][0]
        given = tuple(f for f, how in client.firsts if how != "middle name")
        found = set(self._by_names(nm.last, given))
        keys = ["e:" + e for e in client.emails] + ["p:" + p for p in client.phones]
        if client.building:
            keys.append("a:" + client.building)
        for k in keys:
            if not self.shared(k):
                found.update(self.by_contact.get(k, ()))
        if number_key(client.code):
            found.update(self.by_contact.get(number_key(client.code), ()))
        return found

    def _by_names(self, last: tuple[str, ...], given: tuple[str, ...]) -> frozenset[int]:
        """Customers whose surname is within one edit of `last` (or a part of it) and whose given
        name is compatible with one of `given`; kept per name, since namesakes ask the same."""
        key = (last, given)
        found = self._name_blocks.get(key)
        if found is None:
            tokens = set(last)
            if len(last) > 1:
                tokens.add("".join(last))
            firsts: set[str] = set()
            for f in given:
                firsts.update(self.compatible_firsts(f))
            hits: set[int] = set()
            for tok in tokens:
                for k in delete_keys(tok):
                    # Two surnames within one edit (or one swap) share a deletion key; a
                    # family-name-first reading must be one of this surname's keys itself.
                    blocks = [self.by_surname[s] for s in self._surname_keys.get(k, ())]
                    swapped = self.by_swapped_surname.get(k)
                    if swapped:
                        blocks.append(swapped)
                    for block in blocks:
                        for f in block.keys() & firsts:
                            hits.update(block[f])
            found = self._name_blocks[key] = frozenset(hits)
        return found

    def labels(self) -> list[str]:
        if self._labels is None:
            self._labels = [N.fold(s.label) for s in self.sides]
        return self._labels
