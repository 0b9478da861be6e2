"""The standalone sandbox's own demo clients and payers (used when the host passes none in).

Inside CareLedger the host passes its demo agency's people through config (DEMO_PEOPLE,
DEMO_PAYERS) so the books and the agency describe the same clients. Run alone, the sandbox
makes up 60 clients of its own from the short name lists below: deterministic (fixed seed), with
the cases a bookkeeper's list has (suffixes, middle names, nicknames, a shared surname, inactive
clients), in four states so tax-by-state has something to show. Contact details use reserved
ranges (example.* domains, 555-01xx numbers).
"""
from __future__ import annotations

import random
from dataclasses import dataclass

SEED = 20261201
COUNT = 60


@dataclass(frozen=True)
class Person:
    client_code: str
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    preferred_name: str
    email: str
    phone: str
    address_line1: str
    city: str
    state: str
    postal_code: str
    office: str
    active: bool


@dataclass(frozen=True)
class Payer:
    name: str
    kind: str
    email: str = ""


PAYERS = (
    Payer("Keystone LTC Assurance", "ltc_insurance", "claims@keystone-ltc.example"),
    Payer("VA Community Care Network", "va", "ccn@va-care.example"),
    Payer("Garden State Waiver Program", "medicaid_waiver", "billing@gsw.example"),
)

_FIRST = ("Robert", "William", "Margaret", "Elizabeth", "Richard", "James", "Catherine", "Joseph",
          "Patricia", "Dorothy", "Edward", "Thomas", "Lucia", "Amara", "Tomasz", "Nguyen", "Ines",
          "Harold", "Mildred", "Beatrice", "Walter", "Agnes", "Samuel", "Yusuf")
_LAST = ("Abernathy", "Bianchi", "Castellanos", "Duarte", "Eriksen", "Fairweather", "Gallagher",
         "Hollis", "Iwasaki", "Jablonski", "Kaur", "Lindqvist", "Montague", "Nakamura", "Okonkwo",
         "Pemberton", "Quinlan", "Ramirez", "Sorensen", "Tremblay", "Underwood", "Villanueva",
         "Whitcombe", "Yilmaz", "Zimmerman", "O'Connell", "St. Clair", "de Vries")
_MIDDLE = ("", "", "", "Ann", "Lee", "Marie", "J", "Paul")
_SUFFIX = ("",) * 12 + ("Jr.", "Sr.", "III")
# (state, city, postal code, office)
_PLACES = (("NY", "Albany", "12208", "Main Office"), ("NJ", "Princeton", "08540", "Main Office"),
           ("CT", "Danbury", "06810", "Lakeside"), ("PA", "Scranton", "18503", "North Branch"),
           ("NY", "Glens Falls", "12801", "North Branch"), ("CT", "Stamford", "06901", "Lakeside"))


def _build() -> tuple[Person, ...]:
    rng = random.Random(SEED)
    people, used = [], set()
    while len(people) < COUNT:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        if (first, last) in used:
            continue
        used.add((first, last))
        state, city, postal, office = rng.choice(_PLACES)
        n = len(people) + 1
        handle = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
        people.append(Person(
            client_code=f"SB{n:04d}", first_name=first, middle_name=rng.choice(_MIDDLE),
            last_name=last, suffix=rng.choice(_SUFFIX), preferred_name="",
            email=f"{handle}@example.com" if n % 7 else "",
            phone=f"555-01{n % 100:02d}" if n % 5 else "",
            address_line1=f"{rng.randrange(1, 999)} Main St", city=city, state=state,
            postal_code=postal, office=office, active=n % 11 != 0))
    return tuple(people)


PEOPLE = _build()


@dataclass(frozen=True)
class Caregiver:
    first_name: str
    last_name: str
    preferred_name: str
    email: str
    phone: str
    kind: str  # "employee" (W-2) or "contractor" (1099)
    active: bool = True


CAREGIVERS = (
    Caregiver("Alicia", "Moreno", "", "alicia.moreno@example.com", "555-0201", "employee"),
    Caregiver("Brenda", "Okafor", "", "", "555-0202", "employee"),
    Caregiver("Carmen", "Delgado", "", "carmen.delgado@example.com", "", "employee"),
    Caregiver("Danielle", "Fitzgerald", "Dani", "", "555-0204", "employee"),
    Caregiver("Farida", "Rahimi", "", "", "555-0206", "contractor"),
    Caregiver("Grace", "Liu", "", "grace.liu@example.com", "", "employee"),
    Caregiver("Katarzyna", "Nowak", "Kasia", "", "555-0211", "contractor"),
    Caregiver("Luis", "Ortega", "", "", "", "contractor"),
    Caregiver("Yolanda", "Pierce", "", "", "", "contractor", active=False),
)
