"""The demo people/payers/service types are a contract other packages build on: shape and variety."""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from decimal import Decimal

from demo_data import people as demo
from demo_data.people import CAREGIVERS, OFFICES, PAYERS, PEOPLE, SERVICE_TYPES, DemoPerson

PERSON_FIELDS = ["client_code", "first_name", "middle_name", "last_name", "suffix", "preferred_name",
                 "email", "phone", "address_line1", "city", "state", "postal_code", "office", "active"]


def _by_name(first, last):
    return [p for p in PEOPLE if p.first_name == first and p.last_name == last]


def test_person_fields_are_the_agreed_contract_and_frozen():
    assert [f.name for f in dataclasses.fields(DemoPerson)] == PERSON_FIELDS
    try:
        PEOPLE[0].first_name = "x"
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("DemoPerson must be frozen")


def test_people_are_deterministic_and_pinned():
    # Rebuilding gives the same tuple; a few pinned values catch an accidental change of seed or lists.
    assert demo._build() == PEOPLE
    assert len(PEOPLE) == 120
    assert PEOPLE[0].client_code == "C0001" and PEOPLE[-1].client_code == "C0120"
    assert demo.person("C0015").full_name == "Walter Kowalski"
    assert demo.person("C0001").full_name == "Robert Allen Whitaker Jr."


def test_codes_unique_offices_known_and_spread():
    codes = [p.client_code for p in PEOPLE]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"C\d{4}", c) for c in codes)
    office_names = {o.name for o in OFFICES}
    assert office_names == {"Main Office", "Lakeside", "North Branch"}
    counts = Counter(p.office for p in PEOPLE)
    assert set(counts) == office_names and min(counts.values()) >= 25
    assert 6 <= sum(not p.active for p in PEOPLE) <= 10


def test_names_have_real_world_variety():
    firsts = {p.first_name for p in PEOPLE}
    lasts = {p.last_name for p in PEOPLE}
    assert {"José", "Zoë", "Siobhán"} <= firsts
    assert {"O'Brien", "D'Angelo", "Smith-Jones", "de la Cruz", "Van der Berg"} <= lasts
    assert any(l.startswith("Mac") for l in lasts) and any(l.startswith("Mc") for l in lasts)
    assert {"Jr.", "Sr.", "III"} <= {p.suffix for p in PEOPLE}
    assert any(re.fullmatch(r"[A-Z]\.", p.middle_name) for p in PEOPLE)  # middle initials
    assert any(len(p.middle_name) > 2 for p in PEOPLE)  # full middle names
    nicknames = {(p.first_name, p.preferred_name) for p in PEOPLE}
    assert {("Robert", "Bob"), ("Margaret", "Peggy"), ("William", "Bill"), ("Elizabeth", "Betty")} <= nicknames


def test_relatives_share_an_address_and_namesakes_do_not():
    couple = _by_name("Walter", "Kowalski") + _by_name("Dorothy", "Kowalski")
    assert len(couple) == 2 and couple[0].address_line1 == couple[1].address_line1
    mother, daughter = _by_name("Joan", "Whitfield")[0], _by_name("Joanne", "Whitfield")[0]
    assert mother.address_line1 == daughter.address_line1 and mother.phone != daughter.phone
    millers = _by_name("James", "Miller")
    assert len(millers) == 2
    assert millers[0].full_name == millers[1].full_name
    assert millers[0].email != millers[1].email and millers[0].phone != millers[1].phone
    assert millers[0].address_line1 != millers[1].address_line1
    # apart from the Millers no two clients share a full name
    assert Counter(p.full_name for p in PEOPLE).most_common(2)[1][1] == 1


def test_contact_details_are_fictional_and_sometimes_missing():
    assert sum(not p.email for p in PEOPLE) >= 5
    assert sum(not p.phone for p in PEOPLE) >= 3
    assert any(not p.email and not p.phone for p in PEOPLE)
    for p in PEOPLE:
        assert not p.email or re.fullmatch(r"[a-z0-9.]+@(mail\.)?example\.(com|net|org)", p.email)
        assert not p.phone or re.fullmatch(r"\((518|838)\) 555-01\d\d", p.phone)
        assert p.state == "NY" and re.fullmatch(r"\d{5}", p.postal_code) and p.city and p.address_line1
    emails = [p.email for p in PEOPLE if p.email]
    assert len(emails) == len(set(emails))


def test_payers_service_types_caregivers():
    from models import PayerKind

    assert len(PAYERS) == 3
    assert {p.kind for p in PAYERS} == {"ltc_insurance", "va", "medicaid_waiver"}
    assert all(PayerKind(p.kind) for p in PAYERS)
    assert [s.name for s in SERVICE_TYPES] == ["Personal Care", "Companion", "Respite", "Skilled Nursing",
                                               "Homemaker"]
    assert all(isinstance(s.hourly_rate, Decimal) and s.hourly_rate > 0 for s in SERVICE_TYPES)
    assert len({s.code for s in SERVICE_TYPES}) == 5
    assert len(CAREGIVERS) >= 10 and len(set(CAREGIVERS)) == len(CAREGIVERS)


def test_people_module_imports_no_flask():
    import subprocess
    import sys

    code = "import sys, demo_data.people; sys.exit(1 if 'flask' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
