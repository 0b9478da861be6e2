"""Data for the page tests: two offices, clients, payers, draft and finalized batches with lines,
and one user per role (the Agency User works in the North office only)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest

from models import (Agency, BatchStatus, Caregiver, Client, Invoice, InvoiceBatch, InvoiceLine, LineKind,
                    Office, Payer, PayerKind, Role, ServiceType, User)
from tests.agency.helpers import csrf_token_from


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    """Page tests create and sign in several users per test; the production hash cost (scrypt)
    is not what they test, so a cheap PBKDF2 keeps the role matrix fast."""
    from werkzeug.security import generate_password_hash

    import models.users

    monkeypatch.setattr(models.users, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def _invoice(number, batch, client, payer, lines):
    invoice = Invoice(number=number, batch=batch, client=client, payer=payer,
                      invoice_date=batch.period_end, due_date=batch.period_end,
                      period_start=batch.period_start, period_end=batch.period_end)
    for position, (kind, quantity, rate, service_type) in enumerate(lines):
        invoice.lines.append(InvoiceLine(position=position, kind=kind, quantity=Decimal(quantity),
                                         rate=Decimal(rate), service_type=service_type,
                                         service_date=batch.period_start,
                                         description=kind.label, taxable=False))
    return invoice


@pytest.fixture
def data(db):
    """The agency's records. Amounts are chosen so totals are easy to check by hand."""
    agency = Agency(name="Test Home Care")
    north = Office(agency=agency, name="North Office", code="N")
    south = Office(agency=agency, name="South Office", code="S")
    care = ServiceType(name="Personal care", code="PC")
    insurer = Payer(name="Acme LTC Insurance", kind=PayerKind.LTC_INSURANCE)
    ann = Client(code="N-001", office=north, first_name="Ann", middle_name="Marie", last_name="Abbott",
                 suffix="", preferred_name="Annie", email="ann@example.com", phone="(555) 123-4567")
    bob = Client(code="N-002", office=north, first_name="Bob", last_name="Baker", suffix="Jr.",
                 email="bob@example.com", phone="555-987-6543", active=False)
    cara = Client(code="S-001", office=south, first_name="Cara", last_name="Cole",
                  email="cara@example.com", phone="555 222 3333")

    def batch(number, office, status, start, end):
        b = InvoiceBatch(number=number, office=office, status=status, period_start=start, period_end=end)
        if status == BatchStatus.FINALIZED:
            b.finalized_at = datetime(2026, 2, 3, 12, 0, tzinfo=timezone.utc)
        return b

    north_final = batch("B-N-01", north, BatchStatus.FINALIZED, date(2026, 1, 1), date(2026, 1, 31))
    north_draft = batch("B-N-02", north, BatchStatus.DRAFT, date(2026, 2, 1), date(2026, 2, 28))
    north_empty = batch("B-N-03", north, BatchStatus.DRAFT, date(2026, 3, 1), date(2026, 3, 31))
    south_final = batch("B-S-01", south, BatchStatus.FINALIZED, date(2026, 1, 1), date(2026, 1, 31))
    south_draft = batch("B-S-02", south, BatchStatus.DRAFT, date(2026, 2, 1), date(2026, 2, 28))

    # North finalized: 2 invoices; 10h × 30 = 300 + tax 24, and 4h × 25.50 = 102 → total 426.00
    inv1 = _invoice("INV-1001", north_final, ann, insurer, [
        (LineKind.SERVICE, "10", "30", care), (LineKind.TAX, "1", "24", None)])
    inv2 = _invoice("INV-1002", north_final, bob, None, [(LineKind.SERVICE, "4", "25.50", care)])
    inv3 = _invoice("INV-2001", north_draft, ann, None, [
        (LineKind.SERVICE, "2", "30", care), (LineKind.MILEAGE, "10", "0.655", None)])
    inv4 = _invoice("INV-3001", south_final, cara, insurer, [(LineKind.SERVICE, "5", "40", care)])
    inv5 = _invoice("INV-4001", south_draft, cara, None, [(LineKind.SERVICE, "1", "40", care)])
    db.session.add_all([agency, care, insurer, ann, bob, cara, north_final, north_draft, north_empty,
                        south_final, south_draft])
    grace = Caregiver(code="CG-1", office=north, first_name="Grace", last_name="Liu")  # invoice files name her
    db.session.add(grace)
    db.session.commit()
    return SimpleNamespace(
        agency=agency, north=north, south=south, care=care, insurer=insurer,
        ann=ann, bob=bob, cara=cara, grace=grace,
        north_final=north_final, north_draft=north_draft, north_empty=north_empty,
        south_final=south_final, south_draft=south_draft,
        inv1=inv1, inv2=inv2, inv3=inv3, inv4=inv4, inv5=inv5,
    )


@pytest.fixture
def users(make_user, data):
    return SimpleNamespace(
        owner=make_user(Role.OWNER),
        admin=make_user(Role.ADMIN),
        agency_user=make_user(Role.AGENCY_USER, offices=[data.north]),
    )


@pytest.fixture
def login(auth, users):
    """login("owner" | "admin" | "agency_user") signs that user in and returns them."""
    def _login(role: str) -> User:
        return auth.login_as(getattr(users, role))
    return _login


@pytest.fixture
def csrf(client):
    """csrf(path="/") → a valid token for the signed-in session, read from a page."""
    def _token(path: str = "/") -> str:
        return csrf_token_from(client.get(path).get_data(as_text=True))
    return _token


@pytest.fixture
def world(data, users, make_user):
    """Everything a route's URL may point at (see helpers.URL_ARGUMENTS)."""
    spare = make_user(Role.AGENCY_USER, email="spare@example.test", offices=[data.north])
    return SimpleNamespace(data=data, users=users, spare_user=spare)
