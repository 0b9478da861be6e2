"""Caregivers CSV import: one row per caregiver, upserted by caregiver code, all-or-nothing.

As for clients, a column present in the file is authoritative for every row (an empty cell clears
that field; an empty `kind` or `active` keeps the default for new caregivers and the current value
for existing ones); a column left out of the file leaves existing caregivers' values alone.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Caregiver, WorkerKind
from services.imports.records import office_lookup, read_code, read_office_and_email, upsert_by_code
from services.imports.common import CellReader, ImportAborted, ImportResult, RowError, read_rows

REQUIRED = ("caregiver_code", "first_name", "last_name", "office")
OPTIONAL = ("preferred_name", "email", "phone", "kind", "active")
TEXT_LIMITS = {"first_name": 100, "last_name": 100, "preferred_name": 100, "email": 254, "phone": 30}
KINDS = {"employee": WorkerKind.EMPLOYEE, "w-2": WorkerKind.EMPLOYEE, "w2": WorkerKind.EMPLOYEE,
         "contractor": WorkerKind.CONTRACTOR, "1099": WorkerKind.CONTRACTOR}


def _parse(row, header, offices, existing, first_line_of, errors) -> tuple[str, dict] | None:
    cells = CellReader(row, errors)
    code = read_code(cells, "caregiver_code", "caregiver", row.line, first_line_of)
    values = {name: cells.text(name, required=name in REQUIRED, max_length=limit)
              for name, limit in TEXT_LIMITS.items() if name in header}
    read_office_and_email(cells, values, offices)
    current = existing.get(code.upper()) if code else None
    kind = cells.text("kind") if "kind" in header else ""
    if kind and kind.lower() not in KINDS:
        cells.fail("kind", f"'{kind}' is not a kind of caregiver (use employee or W-2, contractor or 1099).")
    elif kind:
        values["kind"] = KINDS[kind.lower()]
    if "active" in header:
        values["active"] = cells.boolean("active", default=current.active if current else True)
    return (code, values) if cells.ok else None


def import_caregivers_csv(text_stream, session: Session) -> ImportResult:
    try:
        header, rows = read_rows(text_stream, REQUIRED, OPTIONAL)
    except ImportAborted as aborted:
        return ImportResult.failed(aborted.errors)
    offices = office_lookup(session)
    existing = {c.code.upper(): c for c in session.scalars(select(Caregiver))}
    errors: list[RowError] = []
    first_line_of: dict[str, int] = {}
    parsed = [p for p in (_parse(row, header, offices, existing, first_line_of, errors) for row in rows) if p]
    if errors:
        return ImportResult.failed(errors)

    return upsert_by_code(session, Caregiver, parsed, existing,
                          {"active": True, "kind": WorkerKind.EMPLOYEE}, "caregiver")
