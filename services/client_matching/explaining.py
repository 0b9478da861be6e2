"""The Score and Why of a row whose customer a person changed: the engine's words for exactly
that pair (not the old proposal's), so the row says why the new choice fits or does not."""
from __future__ import annotations

import json
from dataclasses import dataclass

from extensions import db
from models.clients import Client, Payer
from models.matching_state import ProposalKind
from services.client_matching.customers import customer_index, copies_by_id
from services.client_matching.subjects import client_record
from services.matching import CustomerRecord, explain_pair, match_payers


@dataclass(frozen=True)
class Explanation:
    score: int | None      # None: nothing chosen
    status: str            # "auto" | "review" | "none" | "" (nothing chosen)
    why: str


def explain_choice(realm_id: str, kind: ProposalKind, subject_id: int, customer_id: str,
                   linked: bool = False) -> Explanation:
    if not customer_id:
        return Explanation(None, "", "the link will be removed on Save" if linked
                           else "no customer chosen: nothing is linked")
    copy = copies_by_id(realm_id, [customer_id]).get(customer_id)
    if copy is None:
        return Explanation(None, "", "that customer is not in the customer list any more")
    index, records = customer_index(realm_id)
    record = records.get(customer_id)
    if record is None:   # an inactive customer is not in the engine's index
        record = CustomerRecord.from_qbo(json.loads(copy.payload))
    if kind == ProposalKind.PAYER:
        payer = db.session.get(Payer, subject_id)
        proposal = match_payers([(str(subject_id), payer.name)], [record])[0] if payer else None
        if proposal is None or not proposal.customer_id:
            return Explanation(0, "none", "the names have little in common")
        return Explanation(proposal.score, proposal.status, proposal.reason)
    client = db.session.get(Client, subject_id)
    if client is None:
        return Explanation(None, "", "")
    score, status, why = explain_pair(client_record(client), record, index)
    return Explanation(score, status, why)
