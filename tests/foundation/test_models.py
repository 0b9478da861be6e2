"""The agency's model: money as Decimal, totals derived from lines, constraints that protect data."""
from datetime import date, time
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from models import (Agency, BatchStatus, Client, Invoice, InvoiceBatch, InvoiceLine, LineKind, Office,
                    ServiceType)


@pytest.fixture
def invoice(db):
    agency = Agency(name="Test Agency")
    office = Office(agency=agency, name="Main", code="MAIN")
    client = Client(code="C1", office=office, first_name="Ann", last_name="Lee")
    personal = ServiceType(name="Personal Care", code="PC")
    batch = InvoiceBatch(number="B-1", office=office, period_start=date(2026, 10, 1),
                         period_end=date(2026, 10, 31), status=BatchStatus.DRAFT)
    invoice = Invoice(batch=batch, number="INV-1", client=client, invoice_date=date(2026, 11, 1),
                      due_date=date(2026, 12, 1), period_start=date(2026, 10, 1), period_end=date(2026, 10, 31))
    invoice.lines = [
        InvoiceLine(position=1, kind=LineKind.SERVICE, service_type=personal, service_date=date(2026, 10, 3),
                    start_time=time(9), end_time=time(11, 20), quantity=Decimal("2.33"), rate=Decimal("27.50")),
        InvoiceLine(position=2, kind=LineKind.MILEAGE, quantity=Decimal("37"), rate=Decimal("0.655")),
        InvoiceLine(position=3, kind=LineKind.DISCOUNT, quantity=Decimal("1"), rate=Decimal("-5.00")),
        InvoiceLine(position=4, kind=LineKind.TAX, quantity=Decimal("1"), rate=Decimal("1.92"), taxable=False),
    ]
    db.session.add(invoice)
    db.session.commit()
    return invoice


def test_line_amount_is_quantity_times_rate_rounded_half_up(invoice):
    amounts = [line.amount for line in invoice.lines]
    assert amounts == [Decimal("64.08"), Decimal("24.24"), Decimal("-5.00"), Decimal("1.92")]
    assert all(isinstance(a, Decimal) for a in amounts)


def test_invoice_totals_are_derived_from_lines_in_sql(invoice, db):
    db.session.expire_all()
    fresh = db.session.get(Invoice, invoice.id)
    assert fresh.subtotal == Decimal("83.32")      # 64.08 + 24.24 - 5.00, tax excluded
    assert fresh.tax == Decimal("1.92")
    assert fresh.total == Decimal("85.24")


def test_invoice_numbers_are_unique(invoice, db):
    twin = Invoice(batch=invoice.batch, number="INV-1", client=invoice.client, invoice_date=date(2026, 11, 1),
                   due_date=date(2026, 12, 1), period_start=date(2026, 10, 1), period_end=date(2026, 10, 31))
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_service_line_needs_a_service_type(invoice, db):
    invoice.lines.append(InvoiceLine(position=9, kind=LineKind.SERVICE, quantity=Decimal("1"), rate=Decimal("30")))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_client_full_name_keeps_middle_name_and_suffix(db):
    client = Client(code="C2", office_id=1, first_name="José", middle_name="Luis", last_name="de la Cruz",
                    suffix="Jr.")
    assert client.full_name == "José Luis de la Cruz Jr."
    assert client.sort_name == "de la Cruz, José"
