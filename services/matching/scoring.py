"""One client against one customer: a raw score, the best status the pair may get, and why.

1. Names. The client's given name (and preferred name) is compared with each reading of the
   customer's name, giving a relation (exact, nickname, typo, initial, look-alike, variant,
   different); the surnames give another (exact, typo, part of a double surname, look-alike,
   different). Titles, suffixes, "Last, First", family name first, accents, invisible characters and
   bookkeepers' additions (client numbers, care-of wording, disambiguators) are dealt with before that.
2. Evidence. The client's number in the customer's name is the strongest there is; then the same
   e-mail, phone (digits) and street address. Different values on both sides count against the pair.
   A value many customers share (a facility's phone) is no evidence at all.
3. Rules decide whether the pair may be pre-selected (`auto`): a strong name with nothing
   contradicting it; the client number with a name that fits; a weaker name (typos in both names,
   an initial) backed by contact details; a changed surname only with two pieces of contact evidence.
   A different or look-alike given name (a relative, a stranger one letter away) or a Jr/Sr mismatch
   is never pre-selected.
"""
from __future__ import annotations

from dataclasses import dataclass

from .conventions import code_digits, number_contradicts_code, number_fits_code
from .index import CustomerIndex
from .names import (FIRST_SIM, LAST_SIM, first_relation, last_relation, spelling_difference, spelling_variant,
                    surname_similarity)
from .sides import FIELDS, Side

# --- thresholds ------------------------------------------------------------------------------------
# A pair has a raw score: its name (0..100) plus or minus evidence, so raw may pass 100 (same name +
# same phone outranks same name alone). Shown scores are the raw squeezed into the band of the status.
AUTO_MIN = 90        # an `auto` pair reaches at least this raw. An exact or nickname/typo-level name
                     # with nothing against it lands at 92-100; one phone/address contradiction (-14)
                     # takes an exact name to 86, so contradicted name-only matches need a human.
REVIEW_MIN = 60      # below this a candidate is not proposed (it may still appear as an alternative).
ALT_MIN = 40         # alternatives shown in the drop-down ordering must at least reach this.
AMBIGUITY_MARGIN = 8  # a best candidate must beat the runner-up by this much to be `auto`.

# Points for evidence on top of the name's 0..100. The client's own number in the name outweighs any
# name; e-mail and phone are a person's own more often than a street address is (relatives share it).
EVIDENCE_POINTS = {"code": 40, "email": 20, "phone": 18, "address": 12}
CONFLICT_POINTS = {"code": 30, "email": 10, "phone": 14, "address": 14}
MARRIED_NAME_POINTS = 85   # name credit for "same given name, other surname" once two contacts agree
CODE_NAME_POINTS = 80      # name credit for a name that fits once the client's number is in it
MISSPELT_DISPLAY_POINTS = 4  # the name fields match but the display name (on every invoice) is misspelt:
                             # still the person, but not a perfect 100
_MISSPELT = frozenset({"typo", "lookalike", "part_typo"})

_CARE_WORDS = {"care of": "care of", "power of attorney": "power of attorney", "attention": "attention",
               "guardian": "guardian"}
_NAME_FITS_CODE = frozenset({"exact", "nickname", "typo", "nickname2", "initial", "missing"})


@dataclass(slots=True)
class Judgement:
    score: float           # raw: may exceed 100 when a good name also has evidence
    level: str             # best status the pair may get: "auto" | "review" | "none"
    _reason: str
    name_sim: float = 0.0  # the name part alone, 0..1
    contradicted: bool = False
    evidence: tuple[str, ...] = ()
    _why: tuple = ()       # what `explain` needs, kept until the reason is wanted
    own_name: bool = False  # the client's own name, perhaps misspelt (not a nickname: Robert's son Bob)

    @property
    def reason(self) -> str:
        if not self._reason and self._why:
            self._reason = explain(*self._why)
        return self._reason


def _title(s: str) -> str:
    return s.title() if s else s


def _compare_names(client: Side, cust: Side, client_surnames: frozenset[str]):
    """Best (similarity 0..1, first relation, last relation, how, client's given name, customer name)."""
    best = None
    cname = client.names[0][0]
    for qname, _ in cust.names:
        lrel = last_relation(cname.last, qname.last)
        if lrel == "typo" and qname.last_joined in client_surnames:
            lrel = "lookalike"   # another client is called that: a real surname, not a slip
        for first, how in client.firsts:
            frel = first_relation(first, qname.first)
            if how == "middle name" and frel != "exact":
                continue
            fsim = 0.3 if how == "middle name" else FIRST_SIM[frel]
            if lrel == "different":
                lsim = 0.5 * surname_similarity(cname.last_joined, qname.last_joined)
            else:
                lsim = LAST_SIM[lrel]
            sim = 0.45 * fsim + 0.55 * lsim
            if "swapped" in qname.notes:
                sim -= 0.03
            elif "swapped_given" in qname.notes:
                sim -= 0.10
            if best is None or sim > best[0]:
                best = (sim, frel, lrel, how, first, qname)
        if best[0] >= 0.97 and ("swapped" in qname.notes or "swapped_given" in qname.notes
                                or best[0] >= 1.0):
            break   # readings come plain first; a family-name-first one cannot do better now
    return best


def _contact_evidence(client: Side, cust: Side, index: CustomerIndex) -> tuple[list[str], list[str]]:
    pos: list[str] = []
    neg: list[str] = []
    if client.code and cust.numbers:
        if any(number_fits_code(n, client.code) for n in cust.numbers):
            pos.append("code")
        elif any(number_contradicts_code(n, client.code) for n in cust.numbers):
            neg.append("code")
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
    if cust.care[0]:
        # Bills kept "care of" someone go to that person: the phone, e-mail and address on the
        # customer are often theirs, so a different one says nothing against the client.
        neg = [k for k in neg if k == "code"]
    return pos, neg


def _name_words(frel, lrel, how, cfirst, cname, qname) -> list[str]:
    why: list[str] = []
    if frel == "exact" and lrel == "exact":
        why.append("same name")
    if frel == "nickname":
        why.append(f"nickname {_title(cfirst)} → {_title(qname.first)}")
    elif frel == "nickname2":
        why.append(f"nicknames of one name {_title(cfirst)} / {_title(qname.first)}")
    elif frel == "typo":
        why.append(f"given name {spelling_difference(qname.first, cfirst)}: {_title(qname.first)} / {_title(cfirst)}")
    elif frel == "lookalike":
        why.append(f"another given name one letter away: {_title(qname.first)} / {_title(cfirst)}")
    elif frel == "initial":
        why.append(f"initial {qname.first.upper() or cfirst[:1].upper()}.")
    elif frel in ("variant", "different"):
        why.append(f"different given name {_title(cfirst)} / {_title(qname.first) or '—'}")
    elif frel == "missing":
        why.append("no given name in QuickBooks")
    if how == "preferred name":
        why.append(f"preferred name {_title(cfirst)}")
    elif how == "middle name":
        why.append(f"goes by middle name {_title(cfirst)}")
    c_last, q_last = "-".join(map(_title, cname.last)), "-".join(map(_title, qname.last))
    if lrel == "typo":
        why.append(f"surname {spelling_difference(qname.last_joined, cname.last_joined)}: {q_last} / {c_last}")
    elif lrel == "lookalike":
        why.append(f"another surname one letter away: {q_last} / {c_last}")
    elif lrel in ("part", "part_typo"):
        why.append(f"one of the surnames: {c_last} → {q_last}")
    elif lrel == "half":
        why.append(f"second surname differs: {c_last} / {q_last}")
    elif lrel == "different":
        why.append(f"surname differs {c_last} → {q_last or '—'}")
    for note, text in (("last_first", '"Last, First"'), ("title", "title dropped"),
                       ("disambiguator", "disambiguator dropped"), ("swapped", "family name first"),
                       ("swapped_given", "perhaps family name first")):
        if note in qname.notes:
            why.append(text)
    return why


def _level(frel, lrel, how, pos, neg, notes, suffix_conflict, middle_conflict, slip=True) -> str:
    """The best status the pair may get from its name and evidence (before rivals are considered)."""
    strong_contact = [k for k in pos if k in ("email", "phone")]
    net_ok = not neg or len(pos) > len(neg)
    strong_first = frel in ("exact", "nickname") or (frel == "typo" and lrel == "exact")
    strong_last = lrel in ("exact", "typo", "part")
    if "code" in neg:
        return "review"
    if "code" in pos:
        fits = frel in _NAME_FITS_CODE or (lrel in ("exact", "typo", "part") and frel != "lookalike")
        if fits and not suffix_conflict and len(neg) <= 1:
            return "auto"
        return "review"
    if suffix_conflict or frel in ("different", "variant") and how != "preferred name":
        return "none"    # a relative (same surname, same home) or father/son: never proposed alone
    if frel == "lookalike":
        return "review" if strong_contact and not neg else "none"
    if how == "middle name":
        return "review" if strong_contact else "none"
    if lrel == "lookalike":
        return "auto" if len(strong_contact) >= 2 and not neg else "review"
    if strong_first and strong_last and not (frel == "typo" and lrel == "typo"):
        if not net_ok or (middle_conflict and not ("email" in pos and not neg)):
            return "review"
        if "swapped_given" in notes and not pos:
            return "review"   # "Thomas James": two given names, either way round
        if not slip and not pos:
            return "review"   # Smith/Smyth, Karen/Karin: maybe another family's spelling
        return "auto"
    if frel in ("exact", "nickname") and lrel in ("different", "half"):
        # Changed surname (marriage) or a wrong one: only contact details can tell.
        if len(pos) >= 2 and strong_contact and not neg:
            return "auto"
        return "review" if strong_contact and not neg else "none"
    if frel in ("typo", "nickname2", "initial", "exact", "nickname") and (strong_last or lrel == "part_typo"):
        # Two weak name signals (typos in both names, initial, shared nickname): contact details must
        # back them. A shared nickname (Hannah/Joan via Johanna) needs the person's own e-mail.
        backed = strong_contact or (frel == "typo" and lrel == "typo" and "address" in pos)
        if backed and not neg and (frel != "initial" or "email" in pos or len(pos) >= 2) \
                and (frel != "nickname2" or "email" in pos):
            return "auto"
        return "review"
    return "review" if strong_contact and not neg else "none"


@dataclass(frozen=True, slots=True)
class _NamePart:
    """What a pair's names alone say: the same for every pair of records with these names."""
    best: tuple            # (similarity, first relation, last relation, how, client's given name, reading)
    middle_conflict: bool
    suffix_conflict: bool
    display: tuple | None
    misspelt: bool
    slip: bool


def _name_part(client: Side, cust: Side, client_surnames: frozenset[str]) -> _NamePart | None:
    best = _compare_names(client, cust, client_surnames)
    if best is None:
        return None
    _, frel, lrel, _, cfirst, qname = best
    cname = client.names[0][0]
    # Middle names: initials that differ are two people more often than a typo.
    middle_conflict = bool(cname.middles and qname.middles and "swapped" not in qname.notes
                           and cname.middles[0][0] != qname.middles[0][0])
    suffix_conflict = bool(cname.suffix and qname.suffix and cname.suffix != qname.suffix)
    display = _display_difference(client, cust, qname, cfirst, client_surnames)
    misspelt = bool(display) and (display[0] in _MISSPELT or display[1] in _MISSPELT)
    # A typo that is also how another family spells the name is only pre-selected with evidence.
    slip = not (lrel == "typo" and spelling_variant(qname.last_joined, cname.last_joined)) and \
        not (frel == "typo" and spelling_variant(qname.first, cfirst))
    return _NamePart(best, middle_conflict, suffix_conflict, display, misspelt, slip)


_UNSEEN = object()


def judge(client: Side, cust: Side, index: CustomerIndex, client_surnames: frozenset[str] = frozenset(),
          names: dict | None = None) -> Judgement | None:
    """One pair. `names` (optional, one per matching run with the same `client_surnames`) keeps the
    name comparison of each pair of distinct names, keyed by the sides' `name_id`s: namesakes and
    repeated names are then compared once."""
    if names is None or client.name_id < 0 or cust.name_id < 0:
        part = _name_part(client, cust, client_surnames)
    else:
        key = (client.name_id, cust.name_id)
        part = names.get(key, _UNSEEN)
        if part is _UNSEEN:
            part = names[key] = _name_part(client, cust, client_surnames)
    if part is None:
        return None
    best = part.best
    sim, frel, lrel, how, cfirst, qname = best
    middle_conflict, suffix_conflict, display, misspelt, slip = \
        part.middle_conflict, part.suffix_conflict, part.display, part.misspelt, part.slip
    pos, neg = _contact_evidence(client, cust, index)
    score = 100 * sim - (8 if middle_conflict else 0) - (MISSPELT_DISPLAY_POINTS if misspelt else 0)
    score += sum(EVIDENCE_POINTS[k] for k in pos) - sum(CONFLICT_POINTS[k] for k in neg)
    level = _level(frel, lrel, how, pos, neg, qname.notes, suffix_conflict, middle_conflict, slip)
    married = False
    if level == "auto" and "code" in pos:
        score = max(score, CODE_NAME_POINTS + EVIDENCE_POINTS["code"])
    elif level == "auto" and frel in ("exact", "nickname") and lrel in ("different", "half"):
        married = True
        score = max(score, MARRIED_NAME_POINTS + sum(EVIDENCE_POINTS[k] for k in pos))
    deleted = cust.deleted and level == "auto"
    if deleted:
        level = "review"
    if misspelt:
        score = min(score, 99.0)   # contact details may prove the person; 100 still means the name as shown
    if level == "auto" and score < AUTO_MIN:
        level = "review"
    if level == "review" and score < REVIEW_MIN:
        level = "none"
    # The words are put together only when shown: most judged pairs never are.
    own_name = frel in ("exact", "typo") and lrel in ("exact", "typo", "part") and how != "middle name"
    return Judgement(score, level, "", sim, bool(neg), tuple(pos),
                     (client, cust, best, pos, neg, married, deleted, display), own_name)


def _display_difference(client: Side, cust: Side, qname, cfirst: str, client_surnames: frozenset[str]):
    """When the best reading is the customer's name fields while its display name - what people see
    on invoices - is not the client's name (a misspelling, a nickname): (first relation, last
    relation, reading) of the display name; otherwise None."""
    if not cust.names or cust.names[0][1] == FIELDS or cust.names[0][0] is qname:
        return None
    if next((src for nm, src in cust.names if nm is qname), "") != FIELDS:
        return None
    shown = cust.names[0][0]
    cname = client.names[0][0]
    lrel = last_relation(cname.last, shown.last)
    if lrel == "typo" and shown.last_joined in client_surnames:
        lrel = "lookalike"
    frel = first_relation(cfirst, shown.first)
    return None if frel == lrel == "exact" else (frel, lrel, shown)


def explain(client: Side, cust: Side, best, pos, neg, married: bool, deleted: bool, display=None) -> str:
    """The Why column for a judged pair, in plain words: exactly what matched, and where."""
    _, frel, lrel, how, cfirst, qname = best
    cname = client.names[0][0]
    why = _name_words(frel, lrel, how, cfirst, cname, qname)
    if display:
        # "same name" would hide the misspelling people see: say the fields match, then how the
        # display name differs ("surname letters swapped: Frereira / Ferreira").
        dfrel, dlrel, shown = display
        why = [("same name in QuickBooks' name fields" if w == "same name" else w) for w in why]
        why += [f"display name {w}" for w in _name_words(dfrel, dlrel, "", cfirst, cname, shown)
                if w not in ("same name", '"Last, First"') and not w.startswith(("preferred", "goes by"))]
    if cname.middles and qname.middles and "swapped" not in qname.notes:
        if cname.middles[0][0] != qname.middles[0][0]:
            why.append("middle names differ")
        elif len(qname.middles[0]) == 1 or len(cname.middles[0]) == 1:
            why.append("middle initial")
    if cname.suffix and qname.suffix and cname.suffix != qname.suffix:
        why.append(f"{cname.suffix.title()} vs {qname.suffix.title()}")
    if cust.care[0]:
        why.append(f"{_CARE_WORDS[cust.care[0]]} {cust.care[1]}".strip())
    if cust.estate:
        why.append("estate of")
    if cust.parent_note:
        why.append(cust.parent_note)
    if "code" in pos:
        code = next(n for n in cust.numbers if number_fits_code(n, client.code))
        why.insert(0, f"client number {code_digits(code) or code} in the name")
    if "code" in neg:
        other = next(n for n in cust.numbers if number_contradicts_code(n, client.code))
        why.insert(0, f"client number {code_digits(other)} in the name, not {code_digits(client.code)}")
    if married:
        why.insert(0, "surname changed?")
    why += ["same " + ("e-mail" if k == "email" else k) for k in pos if k != "code"]
    why += ["different " + ("e-mail" if k == "email" else k) for k in neg if k != "code"]
    if deleted:
        why.append("marked deleted in QuickBooks")
    return "; ".join(dict.fromkeys(why)) or "name"


def display_score(raw: float, level: str) -> int:
    """The raw score squeezed into the band of its status (auto 90-100, review 60-89, none 0-59)."""
    if level == "auto":
        return int(round(min(100.0, max(raw, AUTO_MIN))))
    if level == "review":
        return int(round(min(max(raw, REVIEW_MIN), AUTO_MIN - 1)))
    return int(round(max(0.0, min(raw, REVIEW_MIN - 1))))
