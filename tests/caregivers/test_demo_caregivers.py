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


def test_the_mounted_sandbox_has_some_demo_caregivers_as_employees_and_vendors(tmp_path):
    from app import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance"),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}",
                      "QBO_SANDBOX_ENABLED": True, "QBO_ENVIRONMENT": "local",
                      "QBO_SANDBOX_DATABASE": f"sqlite:///{tmp_path / 'sandbox.sqlite'}"})
    sandbox = app.extensions["qbo_sandbox_app"]
    from qbo_sandbox.demo.company import ensure_demo_company

    realm = ensure_demo_company(sandbox)
    with sandbox.extensions["qbo_sandbox.store"].transaction() as tx:
        employees = {d["DisplayName"]: d for d in tx.all_docs(realm, "Employee")}
        vendors = {d["DisplayName"]: d for d in tx.all_docs(realm, "Vendor")}
        customers = {d["DisplayName"].lower() for d in tx.all_docs(realm, "Customer")}
    assert {"Moreno, Alicia", "Brenda Okafor", "Delgado, Carmen J."} <= set(employees)
    assert {"Kasia Nowak", "Rahiim, Farida"} <= set(vendors)  # a nickname and the one typo
    assert all(v["Vendor1099"] for name, v in vendors.items() if name in ("Kasia Nowak", "Rahiim, Farida"))
    assert "Pierce, Yolanda" not in vendors and "Yolanda Pierce" not in vendors  # she has left
    assert not {n.lower() for n in (*employees, *vendors)} & customers  # one name space
