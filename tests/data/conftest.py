"""Fixtures for the data-in tests: a seeded demo agency, or just the reference data imports need."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

TODAY = date(2026, 11, 26)  # fixed so the seeded periods and numbers are the same on every run


@pytest.fixture
def seeded(db):
    from services.demo_seed import seed_demo_agency

    return seed_demo_agency(db.session, today=TODAY)


@pytest.fixture
def reference_data(db):
    """Agency, offices, payers and service types from demo_data, plus three clients (no invoices)."""
    from demo_data.people import OFFICES, PAYERS, SERVICE_TYPES
    from models import Agency, Client, Office, Payer, PayerKind, ServiceType

    agency = Agency(name="Test Agency")
    offices = {o.name: Office(agency=agency, name=o.name, code=o.code) for o in OFFICES}
    db.session.add_all([agency, *offices.values()])
    db.session.add_all(ServiceType(name=s.name, code=s.code) for s in SERVICE_TYPES)
    db.session.add_all(Payer(name=p.name, kind=PayerKind(p.kind)) for p in PAYERS)
    db.session.add_all([
        Client(code="C0001", office=offices["Main Office"], first_name="Ana", last_name="Peña"),
        Client(code="C0002", office=offices["Lakeside"], first_name="Patrick", last_name="O'Brien"),
        Client(code="C0003", office=offices["North Branch"], first_name="Joan", last_name="Whitfield"),
    ])
    db.session.commit()
    return offices


@pytest.fixture
def csv_file():
    """A CSV as the upload page or CLI hands it over: a binary stream (UTF-8 unless told)."""
    def make(text: str, encoding: str = "utf-8") -> io.BytesIO:
        return io.BytesIO(text.encode(encoding))

    return make


@pytest.fixture
def row_counts(db):
    """Row counts of every table the imports write, to prove a failed import wrote nothing."""
    from models import Client, Invoice, InvoiceBatch, InvoiceLine

    def counts() -> dict[str, int]:
        db.session.expire_all()
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Client, InvoiceBatch, Invoice, InvoiceLine)}

    return counts
