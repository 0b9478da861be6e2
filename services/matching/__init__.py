"""Client <-> QuickBooks customer matching (issues #6, #14). Pure Python: no Flask, no I/O in the engine.

Records
    ClientRecord(id, first_name, middle_name, last_name, suffix, preferred_name, email, phone,
                 address_line1, city, state, postal_code, active=True, client_code="")
        client_code is the agency's client number ("C1045"): bookkeepers write it (or its digits)
        in customer names, the strongest evidence there is. Empty = not used.
    CustomerRecord(id, display_name, given_name, middle_name, family_name, suffix, title, company_name,
                   fully_qualified_name, parent_id, is_job, email, phones, bill_line1, bill_city,
                   bill_state, bill_postal_code, active);  CustomerRecord.from_qbo(customer_json)

Matching
    match_clients(clients, customers) -> list[Proposal]
        One Proposal per client, in input order: client_id, customer_id (None if none), score 0..100,
        status "auto" (safe to pre-select) | "review" (likely; a person confirms) | "none",
        reason ("nickname Bob → Robert; same phone"), alternatives (ranked other candidates:
        Alternative(customer_id, score, reason)). Only active clients and customers are matched, and a
        customer is given to at most one client (global assignment by score; losers are demoted).
    rank_candidates(client, customers, limit=10) -> list[(customer_id, score, reason)]
        For one client's searchable drop-down.
    explain_pair(client, customer, index=None) -> (score, status, reason)
        One pair a person chose (the Score and Why of a changed row).
    CustomerIndex(customers)
        Prepared, indexed customers; pass it instead of the list to reuse it across calls.
    match_payers(payers: list[(id, name)], customers) -> list[Proposal]
        Third-party payers (organisations) by normalised organisation name.

Files (the only I/O): services.matching.files.match_files(clients_csv_path, customers_json_path,
out_stream) writes `client_id,qbo_customer_id,score,status,reason`; also
`python -m services.matching CLIENTS.csv CUSTOMERS.json`.

Modules: conventions.py (client numbers, care-of/POA/estate/attn wording peeled from a name),
normalize.py (names, contact details, organisations), names.py (given-name and surname relations),
sides.py (each record prepared once), index.py (candidate blocking), scoring.py (one pair: score,
status, Why wording; thresholds with the reasoning next to each), engine.py (one-to-one assignment
and the rules that keep an `auto` at `review`).
"""
from .engine import (AMBIGUITY_MARGIN, AUTO_MIN, REVIEW_MIN, Alternative, CustomerIndex, Proposal,
                     explain_pair, match_clients, rank_candidates)
from .payers import match_payers
from .records import ClientRecord, CustomerRecord

__all__ = [
    "AMBIGUITY_MARGIN", "AUTO_MIN", "REVIEW_MIN", "Alternative", "ClientRecord", "CustomerIndex",
    "CustomerRecord", "Proposal", "explain_pair", "match_clients", "match_payers", "rank_candidates",
]
