"""Clients CSV import: one row per client, upserted by client code, all-or-nothing.

A column present in the file is authoritative for every row (an empty cell clears that field);
a column left out of the file leaves existing clients' values alone.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Client
from services.imports.common import CellReader, ImportAborted, ImportResult, RowError, read_rows
from services.imports.records import office_lookup, read_code, read_office_and_email, upsert_by_code

__all__ = ["import_clients_csv", "office_lookup"]

REQUIRED = ("client_code", "first_name", "last_name", "office")
OPTIONAL = ("middle_name", "suffix", "preferred_name", "email", "phone", "address_line1", "address_line2",
            "city", "state", "postal_code", "active")
TEXT_LIMITS = {"first_name": 100, "last_name": 100, "middle_name": 100, "suffix": 16,
               "preferred_name": 100, "email": 254, "phone": 30, "address_line1": 200,
               "address_line2": 200, "city": 100, "state": 30, "postal_code": 20}


def import_clients_csv(text_stream, session: Session) -> ImportResult:
    try:
        header, rows = read_rows(text_stream, REQUIRED, OPTIONAL)
    except ImportAborted as aborted:
        return ImportResult.failed(aborted.errors)

    offices = office_lookup(session)
    existing = {c.code.upper(): c for c in session.scalars(select(Client))}
    errors: list[RowError] = []
    parsed: list[tuple[str, dict]] = []
    first_line_of: dict[str, int] = {}
    for row in rows:
        cells = CellReader(row, errors)
        code = read_code(cells, "client_code", "client", row.line, first_line_of)
        values = {name: cells.text(name, required=name in REQUIRED, max_length=limit)
                  for name, limit in TEXT_LIMITS.items() if name in header}
        read_office_and_email(cells, values, offices)
        if "active" in header:
            values["active"] = cells.boolean("active", default=True)
        if cells.ok:
            parsed.append((code, values))

    if errors:
        return ImportResult.failed(errors)
    return upsert_by_code(session, Client, parsed, existing, {"active": True}, "client")
