"""What the imports of agency records (clients, caregivers) share: the record's code column, its
office, an e-mail check, and the all-or-nothing upsert by code with its summary."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Office
from services.imports.common import EMAIL, CellReader, ImportResult

CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-/]{0,29}")


def office_lookup(session: Session) -> dict[str, Office]:
    """Offices by lower-cased name and by lower-cased code."""
    offices = {}
    for office in session.scalars(select(Office)):
        offices[office.name.lower()] = office
        offices[office.code.lower()] = office
    return offices


def read_code(cells: CellReader, column: str, noun: str, line: int, first_line_of: dict[str, int]) -> str:
    """The row's record code (`noun` names it in messages: "client", "caregiver"); a code seen
    earlier in the file is refused, naming the line it was first on."""
    code = cells.text(column, required=True)
    if code and not CODE.fullmatch(code):
        cells.fail(column, f"'{code}' is not a {noun} code (letters, digits, . _ - /; at most 30 characters).")
    elif code and code.upper() in first_line_of:
        cells.fail(column, f"{noun.capitalize()} code {code} appears twice in the file "
                           f"(first on line {first_line_of[code.upper()]}).")
    elif code:
        first_line_of[code.upper()] = line
    return code


def read_office_and_email(cells: CellReader, values: dict, offices: dict[str, Office]) -> None:
    """Sets values["office_id"] from the `office` column (name or code) and checks `email`."""
    office_name = cells.text("office", required=True)
    if office_name:
        office = offices.get(office_name.lower())
        if office is None:
            cells.fail("office", f"Unknown office '{office_name}'.")
        else:
            values["office_id"] = office.id
    if values.get("email") and not EMAIL.fullmatch(values["email"]):
        cells.fail("email", f"'{values['email']}' is not an e-mail address.")


def upsert_by_code(session: Session, model, parsed: list[tuple[str, dict]], existing: dict,
                   new_defaults: dict, noun: str) -> ImportResult:
    """Creates or updates every parsed (code, values) in one transaction and commits; `existing`
    maps upper-cased codes to records. Any error rolls everything back."""
    created = updated = unchanged = 0
    try:
        for code, values in parsed:
            record = existing.get(code.upper())
            if record is None:
                session.add(model(code=code, **{**new_defaults, **values}))
                created += 1
            elif any(getattr(record, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(record, name, value)
                updated += 1
            else:
                unchanged += 1
        session.commit()
    except Exception:
        session.rollback()
        raise
    total = created + updated + unchanged
    summary = (f"Imported {total} {noun}{'s' if total != 1 else ''}: {created} created, "
               f"{updated} updated, {unchanged} unchanged.")
    return ImportResult(ok=True, created=created, updated=updated, unchanged=unchanged, summary=summary)
