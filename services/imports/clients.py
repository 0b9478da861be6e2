"""Clients CSV import: one row per client, upserted by client code, all-or-nothing.

A column present in the file is authoritative for every row (an empty cell clears that field);
a column left out of the file leaves existing clients' values alone.
"""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Client, Office
from services.imports.common import (EMAIL, CellReader, ImportAborted, ImportResult, RowError,
                                     read_rows)

REQUIRED = ("client_code", "first_name", "last_name", "office")
OPTIONAL = ("middle_name", "suffix", "preferred_name", "email", "phone", "address_line1", "address_line2",
            "city", "state", "postal_code", "active")
TEXT_LIMITS = {"first_name": 100, "last_name": 100, "middle_name": 100, "suffix": 16,
               "preferred_name": 100, "email": 254, "phone": 30, "address_line1": 200,
               "address_line2": 200, "city": 100, "state": 30, "postal_code": 20}
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-/]{0,29}")


def office_lookup(session: Session) -> dict[str, Office]:
    """Offices by lower-cased name and by lower-cased code."""
    offices = {}
    for office in session.scalars(select(Office)):
        offices[office.name.lower()] = office
        offices[office.code.lower()] = office
    return offices


def import_clients_csv(text_stream, session: Session) -> ImportResult:
    try:
        header, rows = read_rows(text_stream, REQUIRED, OPTIONAL)
    except ImportAborted as aborted:
        return ImportResult.failed(aborted.errors)

    offices = office_lookup(session)
    existing = {c.code.upper(): c for c in session.scalars(select(Client))}
    errors: list[RowError] = []
    parsed: list[tuple[int, str, dict]] = []
    first_line_of: dict[str, int] = {}
    for row in rows:
        cells = CellReader(row, errors)
        code = cells.text("client_code", required=True)
        if code and not CODE.fullmatch(code):
            cells.fail("client_code", f"'{code}' is not a client code (letters, digits, . _ - /; "
                                      "at most 30 characters).")
        elif code and code.upper() in first_line_of:
            cells.fail("client_code", f"Client code {code} appears twice in the file "
                                      f"(first on line {first_line_of[code.upper()]}).")
        elif code:
            first_line_of[code.upper()] = row.line
        values = {name: cells.text(name, required=name in REQUIRED, max_length=limit)
                  for name, limit in TEXT_LIMITS.items() if name in header}
        office_name = cells.text("office", required=True)
        if office_name:
            office = offices.get(office_name.lower())
            if office is None:
                cells.fail("office", f"Unknown office '{office_name}'.")
            else:
                values["office_id"] = office.id
        if values.get("email") and not EMAIL.fullmatch(values["email"]):
            cells.fail("email", f"'{values['email']}' is not an e-mail address.")
        if "active" in header:
            values["active"] = cells.boolean("active", default=True)
        if cells.ok:
            parsed.append((row.line, code, values))

    if errors:
        return ImportResult.failed(errors)

    created = updated = unchanged = 0
    try:
        for _line, code, values in parsed:
            client = existing.get(code.upper())
            if client is None:
                session.add(Client(code=code, **{"active": True, **values}))
                created += 1
            elif any(getattr(client, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(client, name, value)
                updated += 1
            else:
                unchanged += 1
        session.commit()
    except Exception:
        session.rollback()
        raise
    total = created + updated + unchanged
    summary = (f"Imported {total} client{'s' if total != 1 else ''}: {created} created, "
               f"{updated} updated, {unchanged} unchanged.")
    return ImportResult(ok=True, created=created, updated=updated, unchanged=unchanged, summary=summary)
