"""The demo agency's caregivers as records: pure data, no Flask.

Built from `people.CAREGIVERS` (the names the demo invoices carry), so every visit's caregiver is
one of these. Deterministic: codes CG-001…, a home office, W-2 employees and a few 1099
contractors, one nickname, one caregiver who has left (inactive). The local QBO sandbox receives
the same list and puts some of them in its demo company as Employees (W-2) and Vendors (1099),
spelled the way a bookkeeper types them.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from demo_data.people import CAREGIVERS, OFFICES

EMPLOYEE, CONTRACTOR = "employee", "contractor"  # models.WorkerKind values
CONTRACTOR_NAMES = {"Farida Rahimi", "Katarzyna Nowak", "Luis Ortega", "Oksana Kovalenko", "Yolanda Pierce"}
NICKNAMES = {"Katarzyna Nowak": "Kasia", "Danielle Fitzgerald": "Dani"}
LEFT_THE_AGENCY = {"Yolanda Pierce"}


@dataclass(frozen=True)
class DemoCaregiver:
    code: str
    first_name: str
    last_name: str
    preferred_name: str
    office: str  # office code
    email: str
    phone: str
    kind: str
    active: bool

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _build() -> tuple[DemoCaregiver, ...]:
    out = []
    for n, full in enumerate(CAREGIVERS, start=1):
        first, last = full.rsplit(" ", 1)
        plain = unicodedata.normalize("NFKD", f"{first}.{last}".lower())
        handle = "".join(ch for ch in plain if ch.isascii() and (ch.isalnum() or ch == "."))
        out.append(DemoCaregiver(
            code=f"CG-{n:03d}", first_name=first, last_name=last, preferred_name=NICKNAMES.get(full, ""),
            office=OFFICES[(n - 1) % len(OFFICES)].code,
            email=f"{handle}@sunrise-care.example" if n % 6 else "",
            phone=f"518-555-02{n:02d}", kind=CONTRACTOR if full in CONTRACTOR_NAMES else EMPLOYEE,
            active=full not in LEFT_THE_AGENCY))
    return tuple(out)


DEMO_CAREGIVERS = _build()
