"""Client look-ups and edits, always scoped to the offices a user may see.

Plain functions over the session; views pass `current_user` in. A client outside the user's
offices is reported as missing (None), so callers answer 404 and never reveal that it exists.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_

from extensions import db
from models import Client
from services.agency import office_records
from services.agency.office_records import STATUSES  # noqa: F401  (the list's filter values)

# Fields a form may set on a client (everything but id).
EDITABLE_FIELDS = (
    "code", "office_id", "first_name", "middle_name", "last_name", "suffix", "preferred_name",
    "email", "phone", "address_line1", "address_line2", "city", "state", "postal_code", "active",
)


def list_name(client: Client) -> str:
    """"Last, First M. Suffix" — the way agencies sort and scan client lists."""
    name = f"{client.last_name}, {client.first_name}"
    if client.middle_name:
        name += f" {client.middle_name[0].upper()}."
    if client.suffix:
        name += f" {client.suffix}"
    return name


def _digits_only(column):
    """The column with common phone punctuation stripped, in SQL (works on SQLite and PostgreSQL)."""
    for char in ("(", ")", "-", " ", ".", "+"):
        column = func.replace(column, char, "")
    return column


def _search_condition(term: str):
    conditions = [
        Client.first_name.icontains(term, autoescape=True),
        Client.last_name.icontains(term, autoescape=True),
        Client.preferred_name.icontains(term, autoescape=True),
        Client.code.icontains(term, autoescape=True),
        Client.email.icontains(term, autoescape=True),
        Client.phone.icontains(term, autoescape=True),
        (Client.first_name + " " + Client.last_name).icontains(term, autoescape=True),
        (Client.last_name + ", " + Client.first_name).icontains(term, autoescape=True),
    ]
    digits = re.sub(r"\D", "", term)
    if len(digits) >= 3:  # "555 123 4567" should find "(555) 123-4567"
        conditions.append(_digits_only(Client.phone).contains(digits, autoescape=True))
    return or_(*conditions)


def clients_query(user, office_id: int | None = None, q: str = "", status: str = "active"):
    """A select of the clients `user` may see, filtered; ordered by last, first name."""
    term = (q or "").strip()
    return office_records.visible_query(Client, user, office_id, status,
                                        _search_condition(term) if term else None)


def client_for(user, client_id: int) -> Client | None:
    return office_records.visible_record(Client, user, client_id)


def code_in_use(code: str, exclude_id: int | None = None) -> bool:
    return office_records.code_in_use(Client, code, exclude_id)


class ClientOfficeNotAllowed(Exception):
    """The user tried to put a client into an office they cannot see."""


@dataclass
class SaveResult:
    client: Client
    created: bool


def save_client(user, data: dict, client: Client | None = None) -> SaveResult:
    """Create or update a client from cleaned form data; the caller commits.

    The office is checked here as well as in the form, so no caller can move a client into an
    office the user cannot see.
    """
    if not user.can_see_office(data.get("office_id")):
        raise ClientOfficeNotAllowed()
    if client is not None and not user.can_see_office(client.office_id):
        raise ClientOfficeNotAllowed()
    created = client is None
    if created:
        client = Client()
        db.session.add(client)
    for name in EDITABLE_FIELDS:
        if name in data:
            value = data[name]
            setattr(client, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    return SaveResult(client=client, created=created)
