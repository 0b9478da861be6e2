"""File front end: clients CSV + QBO customers JSON in, proposals CSV out.

The only module of the package that touches files; the engine itself stays pure.
"""
from __future__ import annotations

import csv
import json
from typing import IO, Iterable

from .engine import match_clients
from .records import ClientRecord, CustomerRecord

OUTPUT_COLUMNS = ("client_id", "qbo_customer_id", "score", "status", "reason")


def _client_from_row(row: dict) -> ClientRecord:
    get = lambda k: (row.get(k) or "").strip()  # noqa: E731 - tiny local accessor
    status = get("status").lower()
    return ClientRecord(
        id=get("client_id"), first_name=get("first_name"), middle_name=get("middle_name"),
        last_name=get("last_name"), suffix=get("suffix"), preferred_name=get("preferred_name"),
        email=get("email"), phone=get("phone"), address_line1=get("address_line1"), city=get("city"),
        state=get("state"), postal_code=get("postal_code"),
        active=status not in ("inactive", "false", "0", "no", "discharged"),
        # The data set's client_id is the agency's client number; a client_code column wins.
        client_code=get("client_code") or get("client_id"),
    )


def read_clients(stream: Iterable[str]) -> list[ClientRecord]:
    """Clients from the CSV layout of the matching data set (header row; `status` active/inactive)."""
    return [_client_from_row(r) for r in csv.DictReader(stream) if (r.get("client_id") or "").strip()]


def read_customers(data) -> list[CustomerRecord]:
    """Customers from a QBO query response ({"QueryResponse": {"Customer": [...]}}) or a bare list."""
    if isinstance(data, dict):
        data = (data.get("QueryResponse") or {}).get("Customer") or data.get("Customer") or []
    return [CustomerRecord.from_qbo(c) for c in data]


# A cell that starts with one of these is a formula to Excel, LibreOffice and Google Sheets (a
# name typed as "=HYPERLINK(...)" would run when the file is opened): OWASP's advice is a leading quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def write_proposals(proposals, out_stream: IO[str]) -> None:
    w = csv.writer(out_stream, lineterminator="\n")
    w.writerow(OUTPUT_COLUMNS)
    for p in proposals:
        w.writerow([spreadsheet_safe(v) for v in (p.client_id, p.customer_id or "", p.score, p.status, p.reason)])


def match_files(clients_csv_path: str, customers_json_path: str, out_stream: IO[str]) -> list:
    """Match a clients CSV against a customers JSON file and write one CSV row per client.

    Returns the proposals too, for callers that want counts."""
    with open(clients_csv_path, newline="", encoding="utf-8-sig") as fh:
        clients = read_clients(fh)
    with open(customers_json_path, encoding="utf-8") as fh:
        customers = read_customers(json.load(fh))
    proposals = match_clients(clients, customers)
    write_proposals(proposals, out_stream)
    return proposals
