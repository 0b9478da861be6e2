"""The demo agency's people, payers, service types, offices and caregivers — pure data, no Flask.

`PEOPLE` is deterministic (a fixed seed): the same ~120 clients on every run and machine, so the demo
seed and the local QBO sandbox's demo company (which re-spells these names the way a bookkeeper would)
always describe the same people. The hand-written cases come first in the source because they are the
point: accents, apostrophes, compound surnames, suffixes, nicknames, relatives at one address, two
different people with one name, missing e-mail/phone, inactive clients. The rest are drawn from name
lists of varied origins. Contact details use reserved ranges (example.* domains, 555-01xx numbers).
"""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

AGENCY_NAME = "Sunrise Home Care"
AGENCY_TIMEZONE = "America/New_York"
STATE = "NY"


@dataclass(frozen=True)
class DemoOffice:
    name: str
    code: str
    city: str


@dataclass(frozen=True)
class DemoPerson:
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
    office: str  # DemoOffice.name
    active: bool

    @property
    def full_name(self) -> str:
        """Same rule as models.Client.full_name: first middle last suffix."""
        name = " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)
        return f"{name} {self.suffix}" if self.suffix else name


@dataclass(frozen=True)
class DemoPayer:
    name: str
    kind: str  # a models.PayerKind value
    email: str
    phone: str
    address_line1: str
    city: str
    state: str
    postal_code: str


@dataclass(frozen=True)
class DemoServiceType:
    name: str
    code: str
    hourly_rate: Decimal


OFFICES: tuple[DemoOffice, ...] = (
    DemoOffice("Main Office", "MAIN", "Albany"),
    DemoOffice("Lakeside", "LAKE", "Saratoga Springs"),
    DemoOffice("North Branch", "NORTH", "Glens Falls"),
)

PAYERS: tuple[DemoPayer, ...] = (
    DemoPayer("Evergreen Long-Term Care Insurance Co.", "ltc_insurance", "claims@evergreen-ltc.example",
              "(800) 555-0142", "400 Capitol Plaza, Suite 1200", "Hartford", "CT", "06103"),
    DemoPayer("VA Community Care Network", "va", "ccn-billing@va-care.example",
              "(877) 555-0181", "113 Holland Ave", "Albany", "NY", "12208"),
    DemoPayer("Hudson Valley Medicaid Waiver Program", "medicaid_waiver", "waiver-billing@hvmw.example",
              "(518) 555-0163", "99 Washington Ave", "Albany", "NY", "12210"),
)

SERVICE_TYPES: tuple[DemoServiceType, ...] = (
    DemoServiceType("Personal Care", "PC", Decimal("32.50")),
    DemoServiceType("Companion", "COMP", Decimal("28.00")),
    DemoServiceType("Respite", "RESP", Decimal("30.00")),
    DemoServiceType("Skilled Nursing", "SN", Decimal("65.00")),
    DemoServiceType("Homemaker", "HM", Decimal("26.50")),
)

CAREGIVERS: tuple[str, ...] = (
    "Alicia Moreno", "Brenda Okafor", "Carmen Delgado", "Danielle Fitzgerald", "Esther Mensah",
    "Farida Rahimi", "Grace Liu", "Hannah Bergstrom", "Imani Clarke", "Jasmine Patel",
    "Katarzyna Nowak", "Luis Ortega", "Marisol Vega", "Nadia Haddad", "Oksana Kovalenko",
    "Rosa Gutiérrez", "Tamika Brooks", "Yolanda Pierce",
)

# ---- addresses -----------------------------------------------------------------------------------

_CITIES = {  # office → (city, postal code) choices in its service area
    "Main Office": (("Albany", "12203"), ("Albany", "12208"), ("Delmar", "12054"), ("Colonie", "12205")),
    "Lakeside": (("Saratoga Springs", "12866"), ("Ballston Spa", "12020"), ("Malta", "12020")),
    "North Branch": (("Glens Falls", "12801"), ("Queensbury", "12804"), ("Lake George", "12845")),
}
_STREETS = (
    "Maple Ave", "Oak St", "Elm St", "Washington Ave", "Lake Ave", "Broadway", "Union St", "Delaware Ave",
    "Western Ave", "Church St", "Ridge Rd", "Bay Rd", "Glen St", "Hudson Ave", "Spring St", "Pine St",
    "Cedar Ln", "Birch Hollow Dr", "Meadowbrook Rd", "Orchard Way", "Division St", "Clinton St",
    "Putnam St", "Warren St", "Madison Ave", "Quaker Rd", "Ridgewood Ct", "Willow Bend",
)

# ---- the hand-written cases ----------------------------------------------------------------------
# (first, middle, last, suffix, preferred, office, email, phone, address, active)
# email/phone/address None = generated; "" = the client has none.

_COUPLE_ADDRESS = ("27 Birch Hollow Dr", "Delmar", "12054")
_MOTHER_DAUGHTER_ADDRESS = ("1184 Bay Rd", "Queensbury", "12804")
_SIBLINGS_ADDRESS = ("63 Spring St", "Saratoga Springs", "12866")

_SPECIAL = (
    # accents
    ("José", "Antonio", "Hernández", "", "", "Main Office", None, None, None, True),
    ("Zoë", "", "Laurent", "", "", "Lakeside", None, None, None, True),
    ("Siobhán", "", "O'Sullivan", "", "", "North Branch", None, None, None, True),
    ("Renée", "", "Beaulieu", "", "", "Main Office", None, None, None, True),
    ("Jürgen", "", "Müller", "", "", "Lakeside", None, None, None, True),
    ("Björn", "", "Åkesson", "", "", "North Branch", "", None, None, True),
    ("Stanisław", "", "Wójcik", "", "Stan", "Main Office", None, None, None, True),
    ("Inés", "María", "Peña", "", "", "Lakeside", None, None, None, True),
    ("François", "", "Lefèvre", "", "", "Main Office", None, None, None, False),
    ("Lan", "Thị", "Nguyễn", "", "", "North Branch", None, None, None, True),
    # apostrophes
    ("Patrick", "", "O'Brien", "", "Pat", "Main Office", None, None, None, True),
    ("Gina", "", "D'Angelo", "", "", "Lakeside", None, None, None, True),
    ("Maureen", "", "O'Neill-Harris", "", "", "North Branch", None, None, None, True),
    ("Darnell", "", "D'Souza", "", "", "Main Office", None, "", None, True),
    # hyphenated and compound surnames, Mac/Mc
    ("Emily", "", "Smith-Jones", "", "", "Main Office", None, None, None, True),
    ("María", "Elena", "de la Cruz", "", "", "Lakeside", None, None, None, True),
    ("Pieter", "", "Van der Berg", "", "", "North Branch", None, None, None, True),
    ("Cornelia", "", "van Dyke", "", "Nellie", "Main Office", None, None, None, True),
    ("Angus", "", "MacDonald", "", "", "North Branch", None, None, None, True),
    ("Sean", "", "McAllister", "", "", "Lakeside", None, None, None, True),
    ("Fiona", "", "Mc Kenna", "", "", "Main Office", None, None, None, True),
    ("Ana", "Lucía", "García Márquez", "", "", "Main Office", None, None, None, True),
    ("Louis", "", "St. Pierre", "", "Lou", "North Branch", None, None, None, True),
    ("Fatima", "", "Al-Sayed", "", "", "Lakeside", None, None, None, True),
    ("Charlotte", "", "LeBlanc", "", "", "Lakeside", None, None, None, True),
    # suffixes and nicknames
    ("Robert", "Allen", "Whitaker", "Jr.", "Bob", "Main Office", None, None, None, True),
    ("Harold", "", "Jenkins", "Sr.", "", "North Branch", None, None, None, True),
    ("Thomas", "Edward", "Wellington", "III", "Tom", "Lakeside", None, None, None, True),
    ("Margaret", "", "Sullivan", "", "Peggy", "Main Office", None, None, None, True),
    ("William", "J.", "Foster", "", "Bill", "North Branch", None, None, None, True),
    ("Elizabeth", "Ann", "Carter", "", "Betty", "Lakeside", None, None, None, True),
    ("Richard", "", "Pomeroy", "Jr.", "Dick", "Main Office", "", "", None, True),
    ("Katherine", "", "Lindqvist", "", "Kay", "North Branch", None, None, None, True),
    ("Theodore", "R.", "Banks", "II", "Ted", "Main Office", None, None, None, False),
    # middle initials
    ("Anne", "M.", "Porter", "", "", "Lakeside", None, None, None, True),
    ("George", "H.", "Whitman", "", "", "Main Office", None, None, None, True),
    # a married couple at one address, one shared landline
    ("Walter", "", "Kowalski", "", "Walt", "Main Office", "walt.kowalski@example.net", "(518) 555-0117",
     _COUPLE_ADDRESS, True),
    ("Dorothy", "", "Kowalski", "", "Dot", "Main Office", "", "(518) 555-0117", _COUPLE_ADDRESS, True),
    # a mother and daughter with similar first names at one address
    ("Joan", "", "Whitfield", "", "", "North Branch", "", "(838) 555-0124", _MOTHER_DAUGHTER_ADDRESS, True),
    ("Joanne", "", "Whitfield", "", "", "North Branch", "joanne.whitfield@example.com", "(838) 555-0125",
     _MOTHER_DAUGHTER_ADDRESS, True),
    # brother and sister sharing a home
    ("Arthur", "", "Greenbaum", "", "Artie", "Lakeside", None, None, _SIBLINGS_ADDRESS, True),
    ("Ruth", "", "Greenbaum", "", "", "Lakeside", None, None, _SIBLINGS_ADDRESS, True),
    # two different people with the same name (different contact details and offices)
    ("James", "", "Miller", "", "Jim", "Main Office", "jmiller1942@example.com", "(518) 555-0131",
     ("15 Oak St", "Albany", "12203"), True),
    ("James", "", "Miller", "", "", "North Branch", "james.miller@example.org", "(838) 555-0132",
     ("402 Glen St", "Glens Falls", "12801"), True),
    # no e-mail and no phone on file
    ("Edna", "", "Pfeiffer", "", "", "Lakeside", "", "", None, True),
    ("Clarence", "", "Hollis", "", "", "North Branch", "", "", None, False),
)

# ---- name lists for the rest (varied origins) ----------------------------------------------------

_FEMALE_NAMES = (
    "Mary", "Patricia", "Barbara", "Dorothy", "Helen", "Shirley", "Frances", "Evelyn", "Virginia",
    "Carol", "Joyce", "Beverly", "Gloria", "Judith", "Lorraine", "Marilyn", "Phyllis", "Irene",
    "Rose", "Lucille", "Gladys", "Mildred", "Norma", "Alice", "Jean", "Doris", "Bernice", "Eleanor",
    "Aiko", "Mei", "Soo-ah", "Priya", "Anjali", "Guadalupe", "Carmen", "Rosario", "Consuelo",
    "Esperanza", "Luciana", "Concetta", "Eleni", "Amina", "Adaeze", "Abena", "Tatiana", "Ingrid",
    "Sigrid", "Bridget", "Mairead", "Hyacinth", "Odessa", "Lavinia",
)
_MALE_NAMES = (
    "John", "Charles", "Joseph", "Donald", "Kenneth", "Raymond", "Frank", "Eugene", "Ralph",
    "Howard", "Albert", "Leonard", "Stanley", "Ernest", "Gerald", "Norman", "Earl", "Vincent",
    "Hiroshi", "Wei", "Min-jun", "Rajesh", "Dev", "Rafael", "Luis", "Ignacio", "Giovanni",
    "Salvatore", "Dimitrios", "Yusuf", "Olufemi", "Kwame", "Vladimir", "Lars", "Declan", "Winston",
    "Cornelius",
)
_FEMALE_MIDDLES = ("", "", "", "", "", "Marie", "Ann", "Louise", "Jean", "Grace", "Rose", "K.", "T.")
_MALE_MIDDLES = ("", "", "", "", "", "Lee", "James", "Ray", "Paul", "Henry", "Edward", "P.", "D.")
_LAST_NAMES = (
    "Anderson", "Baker", "Bennett", "Brooks", "Campbell", "Chen", "Collins", "Coleman", "Donnelly",
    "Edwards", "Ferreira", "Fischer", "Gallagher", "Gonzalez", "Gupta", "Hamilton", "Hayes",
    "Ivanova", "Jackson", "Kaminski", "Kaur", "Kim", "Kowalczyk", "Lambert", "Lopez", "Marino",
    "Mendez", "Moretti", "Morrison", "Nakamura", "Novak", "Okonkwo", "Olsen", "Papadopoulos",
    "Park", "Patel", "Perez", "Quinn", "Reyes", "Rossi", "Russo", "Santos", "Schneider", "Shapiro",
    "Singh", "Sorensen", "Tanaka", "Thompson", "Torres", "Tremblay", "Vasquez", "Wagner",
    "Walsh", "Washington", "Weiss", "Williams", "Wong", "Yamamoto", "Zielinski", "Abernathy",
    "Boateng", "Castillo", "Dubois", "Esposito", "Friedman", "Haddad", "Jovanovic", "Lindgren",
    "Mahoney", "Nowicki", "Oyelaran", "Pellegrino", "Rahman", "Stavros", "Van Buren", "Xu",
)
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")

_GENERATED_COUNT = 74  # with the hand-written cases: 120 clients
_SEED = 20261126
_INACTIVE_GENERATED = 6  # plus the hand-written inactive ones: 9 in all


def _ascii(text: str) -> str:
    """E-mail-safe form of a name: accents dropped, letters only (José → jose, O'Brien → obrien)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _email(rng: random.Random, first: str, last: str, used: set[str]) -> str:
    while True:  # addresses stay distinct unless shared on purpose
        first_part, last_part = _ascii(first), _ascii(last)
        local = rng.choice((f"{first_part}.{last_part}", f"{first_part[0]}{last_part}",
                            f"{first_part}{last_part}{rng.randrange(30, 99)}", f"{last_part}.{first_part[0]}"))
        address = f"{local}@{rng.choice(_EMAIL_DOMAINS)}"
        if address not in used:
            used.add(address)
            return address


def _phone(rng: random.Random, office: str, used: set[str]) -> str:
    area = "838" if office == "North Branch" else "518"
    while True:  # 555-0100..0199 is the fictional range; keep numbers distinct unless shared on purpose
        number = f"({area}) 555-01{rng.randrange(100):02d}"
        if number not in used:
            used.add(number)
            return number


def _address(rng: random.Random, office: str) -> tuple[str, str, str]:
    city, postal_code = rng.choice(_CITIES[office])
    return f"{rng.randrange(2, 2400)} {rng.choice(_STREETS)}", city, postal_code


def _build() -> tuple[DemoPerson, ...]:
    rng = random.Random(_SEED)
    used_phones = {p[7] for p in _SPECIAL if p[7]}
    used_emails = {p[6] for p in _SPECIAL if p[6]}
    rows = []
    for first, middle, last, suffix, preferred, office, email, phone, address, active in _SPECIAL:
        rows.append(dict(
            first_name=first, middle_name=middle, last_name=last, suffix=suffix, preferred_name=preferred,
            office=office, active=active,
            email=_email(rng, first, last, used_emails) if email is None else email,
            phone=_phone(rng, office, used_phones) if phone is None else phone,
            address=_address(rng, office) if address is None else address,
        ))

    taken = {(r["first_name"], r["last_name"]) for r in rows}
    offices = [o.name for o in OFFICES]
    while len(rows) < len(_SPECIAL) + _GENERATED_COUNT:
        female = rng.random() < 0.62  # home-care clients are mostly women
        first = rng.choice(_FEMALE_NAMES if female else _MALE_NAMES)
        middle = rng.choice(_FEMALE_MIDDLES if female else _MALE_MIDDLES)
        last = rng.choice(_LAST_NAMES)
        if (first, last) in taken:  # only the James Miller pair shares a name, on purpose
            continue
        taken.add((first, last))
        office = rng.choices(offices, weights=(5, 3, 3))[0]
        no_email, no_phone = rng.random() < 0.15, rng.random() < 0.06
        rows.append(dict(
            first_name=first, middle_name=middle, last_name=last, suffix="",
            preferred_name="", office=office, active=True,
            email="" if no_email else _email(rng, first, last, used_emails),
            phone="" if no_phone else _phone(rng, office, used_phones),
            address=_address(rng, office),
        ))
    for row in rng.sample(rows[len(_SPECIAL):], _INACTIVE_GENERATED):
        row["active"] = False

    rng.shuffle(rows)  # client numbers should not reveal which rows were hand-written
    people = []
    for number, row in enumerate(rows, start=1):
        line1, city, postal_code = row.pop("address")
        people.append(DemoPerson(client_code=f"C{number:04d}", state=STATE, address_line1=line1,
                                 city=city, postal_code=postal_code, **row))
    return tuple(people)


PEOPLE: tuple[DemoPerson, ...] = _build()


def person(client_code: str) -> DemoPerson:
    return next(p for p in PEOPLE if p.client_code == client_code)
