"""Client Matching (Accounting › QuickBooks Integration › Client Matching): link every client,
payer and (client, payer) pair to its QuickBooks customer. One module per job:

- customers.py  the local copy of the company's customers and the engine index over it
- subjects.py   who is matched: scoped clients, pairs of finalized invoices, creation settings
- proposals.py  the engine's proposals (once per refresh) and one row's ranked candidates
- links.py      CustomerLink look-ups (the realm filter written once) and set/remove a link
- table.py      one page of the table, with options and filter counts
- arrival.py    proposals on arrival (the customer list read when missing or stale)
- explaining.py the Score and Why of a row for the customer a person just chose
- saving.py     a Save of the table, "accept all auto matches"
- creation.py   Add to QuickBooks: create customers exactly once (bodies: services/mapping/customer.py)

The views use the names below; plain functions, no `request`.
"""
from models.matching_state import ProposalKind
from services.client_matching.arrival import ensure_proposals
from services.client_matching.explaining import Explanation, explain_choice
from services.client_matching.customers import customer_index, list_state, taken_display_names
from services.client_matching.links import (candidates_own_link, pair_link, payer_customer_ids,
                                            remove_link, remove_pair_link)
from services.client_matching.proposals import (candidates_for, pair_candidates, recompute_pair_proposals,
                                                recompute_proposals, refresh_customers)
from services.client_matching.saving import (Choice, PairChoice, SaveResult, accept_all_auto,
                                             pair_display_name, save_choices, save_pair_choices)
from services.client_matching.subjects import CreationSettings, creation_settings, visible_client_ids
from services.client_matching.table import (FILTER_LABELS, FILTERS, Row, client_rows, counts,
                                            keep_current_choice, pair_rows, payer_rows)
from services.mapping.customer import slim

__all__ = ["FILTERS", "FILTER_LABELS", "Choice", "Explanation", "ensure_proposals", "explain_choice", "CreationSettings", "PairChoice", "ProposalKind", "Row",
           "SaveResult", "accept_all_auto", "candidates_for", "candidates_own_link", "client_rows", "counts",
           "creation_settings", "customer_index", "keep_current_choice", "list_state", "pair_candidates",
           "pair_display_name", "pair_link", "pair_rows", "payer_customer_ids", "payer_rows",
           "recompute_pair_proposals", "recompute_proposals", "refresh_customers", "remove_link",
           "remove_pair_link", "save_choices", "save_pair_choices", "slim", "taken_display_names",
           "visible_client_ids"]
