"""Each side of a pair prepared once: its readings of the name, its numbers, its contact details."""
from __future__ import annotations

from dataclasses import dataclass

from . import normalize as N
from .conventions import code_token, peel
from .nicknames_index import is_common_given_name
from .records import ClientRecord, CustomerRecord


# Where a customer's reading of the name came from: "" = its display name (what people see in
# QuickBooks), FIELDS = its given/family name fields. The Why says which one matched.
FIELDS = "name fields"


@dataclass
class Side:
    """One record with its names and contact details normalised once."""
    id: str
    label: str
    names: list[tuple[N.PersonName, str]]      # (name, where it came from: "" or FIELDS) readings
    firsts: list[tuple[str, str]]              # (given name, how: "" | "preferred name" | "middle name")
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    building: str
    unit: str
    parent_note: str = ""
    code: str = ""                             # client: the agency's client code, folded ("c1045")
    numbers: tuple[str, ...] = ()              # customer: numbers written in the name
    care: tuple[str, str] = ("", "")           # customer: ("care of", "Mary Smith") and the like
    estate: bool = False
    deleted: bool = False
    name_id: int = -1                          # same number = same names (set by the index / the run):
                                               # lets a run compare each pair of distinct names once


def prepare_client(c: ClientRecord) -> Side:
    name = N.parse_person(c.first_name, c.middle_name, c.last_name, c.suffix)
    firsts = [(name.first, "")]
    pref = N.parse_person(c.preferred_name).first if c.preferred_name else ""
    if pref and pref != name.first:
        firsts.append((pref, "preferred name"))
    for m in name.middles[:1]:
        if len(m) > 1:
            firsts.append((m, "middle name"))
    building, unit = N.norm_street(c.address_line1)
    label = " ".join(p for p in (N.clean_text(c.first_name), N.clean_text(c.last_name)) if p).strip()
    return Side(str(c.id), label, [(name, "")], firsts, N.split_emails(c.email),
                tuple(p for p in (N.norm_phone(c.phone),) if p), building, unit,
                code=code_token(getattr(c, "client_code", "") or ""))


def _family_first_readings(nm: N.PersonName) -> list[N.PersonName]:
    """"Nguyen Van An" / "Smith John" written family name first without a comma: the first word
    is the surname and the given name is the second or the last word."""
    if not nm.first or "last_first" in nm.notes:
        return []
    words = [nm.first, *nm.middles, *nm.last]
    if len(words) < 2 or len(words) > 4:
        return []
    # When the word read as the surname is itself a common given name ("Thomas James"), the swap
    # is only a possibility: the plain reading is at least as likely.
    note = "swapped_given" if is_common_given_name(words[0]) else "swapped"
    out = [N.PersonName(words[1], tuple(words[2:]), (words[0],), nm.suffix, nm.notes + (note,))]
    if len(words) >= 3:
        out.append(N.PersonName(words[-1], tuple(words[1:-1]), (words[0],), nm.suffix, nm.notes + (note,)))
    return out


def prepare_customer(q: CustomerRecord) -> Side:
    peeled = peel(q.leaf_name)
    names: list[tuple[N.PersonName, str]] = []
    parsed = N.parse_display_name(peeled.name)
    if not parsed.empty:
        names.append((parsed, ""))
    if q.given_name or q.family_name:
        structured = N.parse_person(q.given_name, q.middle_name, q.family_name, q.suffix)
        if not structured.empty and structured != parsed:
            names.append((structured, FIELDS))
    if not names and q.company_name:
        names.append((N.parse_display_name(q.company_name), ""))
    # A surname written as two words without a hyphen ("Mary Smith Jones") reads as middle + last.
    for nm, how in list(names):
        if nm.middles and len(nm.middles[-1]) > 1:
            names.append((N.PersonName(nm.first, nm.middles[:-1], (nm.middles[-1],) + nm.last,
                                       nm.suffix, nm.notes), how))
    if parsed and not parsed.empty:
        names.extend((reading, "") for reading in _family_first_readings(parsed))
    building, unit = N.norm_street(q.bill_line1)
    parent_note = ""
    fqn = q.fully_qualified_name or ""
    if ":" in fqn and (q.is_job or q.parent_id):
        parent_note = "sub-customer of " + fqn.rsplit(":", 1)[0].strip()
    return Side(str(q.id), N.clean_text(q.display_name or q.leaf_name), names, [], N.split_emails(q.email),
                tuple(p for p in (N.norm_phone(x) for x in q.phones) if p), building, unit, parent_note,
                numbers=peeled.numbers, care=peeled.care, estate=peeled.estate, deleted=peeled.deleted)
