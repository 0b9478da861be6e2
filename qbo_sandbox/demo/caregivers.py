"""The demo company's Employees and Vendors: some of the agency's caregivers, as a bookkeeper
entered them in QuickBooks.

W-2 caregivers are Employees, 1099 contractors are Vendors (Vendor1099). Not every caregiver is
in the books (a new hire, one who left), and the ones who are are spelled the way bookkeepers
type names: surname first, first name first, a middle initial the agency never recorded, a
nickname, and one typo. `caregivers` are objects with first_name, last_name, preferred_name,
email, phone, kind ("employee" or "contractor") and active; the host passes its own
(config DEMO_CAREGIVERS), otherwise `people.CAREGIVERS` stands in.
"""
from __future__ import annotations

STYLES = ("last_first", "first_last", "middle_initial", "last_first", "last_first", "first_last", "last_first")
TYPO_AT = 4  # the one name typed wrong
MIDDLE_INITIALS = "AMJLRTE"
SKIP_EVERY = 4  # every fourth active caregiver has not been entered in QuickBooks yet


def spelling(index: int, caregiver) -> str:
    first, last = caregiver.first_name, caregiver.last_name
    if getattr(caregiver, "preferred_name", ""):
        return f"{caregiver.preferred_name} {last}"
    if index == TYPO_AT and len(last) >= 4:
        return f"{last[:-2]}{last[-1]}{last[-2]}, {first}"  # the last two letters swapped
    style = STYLES[index % len(STYLES)]
    if style == "first_last":
        return f"{first} {last}"
    if style == "middle_initial":
        return f"{last}, {first} {MIDDLE_INITIALS[index % len(MIDDLE_INITIALS)]}."
    return f"{last}, {first}"


def in_the_books(caregivers) -> list:
    """The caregivers the bookkeeper has entered: active ones, minus every fourth."""
    active = [c for c in caregivers if c.active]
    return [c for n, c in enumerate(active, start=1) if n % SKIP_EVERY]


def add_caregivers(make, caregivers, taken: set) -> list[dict]:
    """Create the Employees and Vendors; `taken` (lower-cased names) gains theirs."""
    made = []
    for index, caregiver in enumerate(in_the_books(caregivers)):
        display = spelling(index, caregiver)
        if display.lower() in taken:
            continue  # the shared name space: someone in the books already has this name
        body = {"DisplayName": display, "GivenName": caregiver.first_name, "FamilyName": caregiver.last_name}
        if caregiver.email:
            body["PrimaryEmailAddr"] = {"Address": caregiver.email}
        if caregiver.phone:
            body["PrimaryPhone"] = {"FreeFormNumber": caregiver.phone}
        if caregiver.kind == "contractor":
            made.append(make("Vendor", {**body, "Vendor1099": True}))
        else:
            made.append(make("Employee", {**body, "BillableTime": True}))
        taken.add(display.lower())
    return made
