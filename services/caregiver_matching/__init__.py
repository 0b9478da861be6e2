"""Caregiver Matching (Accounting › QuickBooks Integration › Caregiver Matching): every active
caregiver ↔ a QuickBooks Employee (W-2) or Vendor (1099), with Client Matching's engine, table
rows, filters and Save rules (services/client_matching/). One module per job:

- workers.py    the local copy of the Employees and Vendors and the engine index over each
- proposals.py  proposals (once per refresh), one row's options, the Score and Why of a choice
- table.py      one page of rows, and the filter counts
- saving.py     a Save (links, removals, automatic matches)
- creation.py   Add to QuickBooks: create the Employee or Vendor exactly once, in QuickBooks'
                one name space (a distinguishable name, and why)
"""
from __future__ import annotations

from datetime import timedelta

from extensions import db
from models._types import utcnow
from qbo.errors import QboError
from services.caregiver_matching.proposals import (caregivers_without_proposal, recompute_proposals,
                                                   refresh_workers)
from services.caregiver_matching.workers import list_state
from services.qbo_connection.messages import plain_error

STALE_AFTER = timedelta(hours=12)


def ensure_proposals(connect, realm_id: str, now=None) -> str:
    """Proposals on arrival: the lists are read when never read or stale; returns "" or what
    failed, in plain words (the page then shows what is stored)."""
    state = list_state(realm_id)
    if state is None or (now or utcnow()) - state.fetched_at > STALE_AFTER:
        try:
            refresh_workers(connect(), realm_id)
            return ""
        except QboError as error:
            db.session.rollback()
            return ("The employee and vendor lists could not be read from QuickBooks"
                    f"{'' if state is None else '; proposals use the copy read earlier'}. {plain_error(error)}")
    if caregivers_without_proposal(realm_id):
        recompute_proposals(realm_id)
        db.session.commit()
    return ""
