"""The demo seed's caregivers: every caregiver named on an invoice line is a record, and the line
references it under the same name."""
from __future__ import annotations

from sqlalchemy import func, select

from demo_data.caregivers import DEMO_CAREGIVERS
from demo_data.people import CAREGIVERS
from models import Caregiver, InvoiceLine, WorkerKind


def test_every_named_line_references_its_caregiver(db, seeded):
    assert seeded.counts["caregivers"] == len(CAREGIVERS) == db.session.scalar(select(func.count(Caregiver.id)))
    assert f"{len(CAREGIVERS)} caregivers" in seeded.message
    named = db.session.scalars(select(InvoiceLine).where(InvoiceLine.caregiver_name != "")).all()
    assert named and all(line.caregiver is not None and line.caregiver.name == line.caregiver_name
                         for line in named)
    assert db.session.scalar(select(func.count()).select_from(InvoiceLine).where(
        InvoiceLine.caregiver_name == "", InvoiceLine.caregiver_id.is_not(None))) == 0


def test_the_demo_has_contractors_a_nickname_and_one_who_left(db, seeded):
    carers = {c.code: c for c in db.session.scalars(select(Caregiver))}
    assert {c.code for c in DEMO_CAREGIVERS} == set(carers)
    assert sum(c.kind == WorkerKind.CONTRACTOR for c in carers.values()) == 5
    assert carers["CG-011"].preferred_name == "Kasia" and not carers["CG-018"].active
    assert {c.office.code for c in carers.values()} == {"MAIN", "LAKE", "NORTH"}
