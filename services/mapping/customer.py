"""Agency client / payer → QuickBooks Online Customer JSON, and the slim copy kept of a QBO
Customer. PURE: no database session, no HTTP (see services/mapping/invoice.py for invoices).

Names are made acceptable to QBO here: `:` (its sub-customer separator), tabs and newlines never
reach a name field, and every field fits QBO's limits (PROTOCOL §4 Customer).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from models.sync_settings import NameFormat

if TYPE_CHECKING:  # plain objects with these attributes will do
    from models.clients import Client, Payer

NAME_PART_MAX = 100
SUFFIX_MAX = 16
DISPLAY_NAME_MAX = 500
COMPANY_MAX = 100
PHONE_MAX = 30
_COLON = re.compile(r"\s*:+\s*")
_BREAKS = re.compile(r"[\t\r\n]+")
_SPACES = re.compile(r"\s{2,}")
_EDGE_DASH = re.compile(r"^(?:- ?)+|(?: ?-)+$")


def clean_name(value: str | None, limit: int = NAME_PART_MAX) -> str:
    """A name QBO accepts: `:` (QBO's Parent:Child separator) becomes " - ", tabs and newlines
    become spaces, runs of spaces collapse, and the result fits the field."""
    text = _COLON.sub(" - ", value or "")
    text = _SPACES.sub(" ", _BREAKS.sub(" ", text)).strip()
    text = _EDGE_DASH.sub("", text)
    return text[:limit].strip()


def client_display_name(client: Client, name_format: NameFormat) -> str:
    first, last = clean_name(client.first_name), clean_name(client.last_name)
    suffix = clean_name(client.suffix, SUFFIX_MAX)
    if NameFormat(name_format) == NameFormat.FIRST_LAST:
        name = " ".join(p for p in (first, last, suffix) if p)
    else:
        name = f"{last}, {first}" if last and first else (last or first)
        if suffix:
            name = f"{name} {suffix}"
    return name[:DISPLAY_NAME_MAX]


def _contact(body: dict, email: str, phone: str, line1: str, line2: str, city: str, state: str,
             postal: str) -> None:
    email = (email or "").strip()
    if "@" in email and "." in email.split("@")[-1]:
        body["PrimaryEmailAddr"] = {"Address": email}
    if (phone or "").strip():
        body["PrimaryPhone"] = {"FreeFormNumber": phone.strip()[:PHONE_MAX]}
    addr = {k: v.strip() for k, v in (("Line1", line1), ("Line2", line2), ("City", city),
                                       ("CountrySubDivisionCode", state), ("PostalCode", postal))
            if (v or "").strip()}
    if addr:
        body["BillAddr"] = addr


def client_customer_body(client: Client, name_format: NameFormat, display_name: str | None = None,
                         parent_qbo_id: str | None = None) -> dict:
    body = {"DisplayName": clean_name(display_name or client_display_name(client, name_format),
                                      DISPLAY_NAME_MAX)}
    for key, value, limit in (("GivenName", client.first_name, NAME_PART_MAX),
                              ("MiddleName", client.middle_name, NAME_PART_MAX),
                              ("FamilyName", client.last_name, NAME_PART_MAX),
                              ("Suffix", client.suffix, SUFFIX_MAX)):
        cleaned = clean_name(value, limit)
        if cleaned:
            body[key] = cleaned
    _contact(body, client.email, client.phone, client.address_line1, client.address_line2,
             client.city, client.state, client.postal_code)
    if parent_qbo_id:   # the client's sub-customer under a payer: invoices roll up to the payer
        body["Job"] = True
        body["ParentRef"] = {"value": str(parent_qbo_id)}
        body["BillWithParent"] = True
    return body


def payer_customer_body(payer: Payer, display_name: str | None = None) -> dict:
    name = clean_name(display_name or payer.name, DISPLAY_NAME_MAX)
    body = {"DisplayName": name, "CompanyName": clean_name(payer.name, COMPANY_MAX)}
    _contact(body, payer.email, payer.phone, payer.address_line1, "", payer.city, payer.state,
             payer.postal_code)
    return body


COPY_FIELDS = ("Id", "DisplayName", "GivenName", "MiddleName", "FamilyName", "Suffix", "Title",
               "CompanyName", "FullyQualifiedName", "ParentRef", "Job", "PrimaryEmailAddr",
               "PrimaryPhone", "Mobile", "AlternatePhone", "BillAddr", "Active", "Level")


def slim(customer: dict) -> dict:
    return {k: customer[k] for k in COPY_FIELDS if k in customer}
