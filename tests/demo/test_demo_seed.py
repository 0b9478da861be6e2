"""The demo seed: a believable agency, consistent amounts, idempotent, and working sign-ins."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from demo_data.logins import DEMO_LOGINS
from models import (Agency, BatchStatus, Client, Invoice, InvoiceBatch, InvoiceLine, LineKind, Office,
                    Payer, Role, ServiceType, User)
from models._types import to_cents
from services.demo_seed import billing_periods, ensure_demo_data, seed_demo_agency
from tests.fixtures.data import TODAY


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_seed_builds_the_demo_agency(db, seeded):
    assert seeded.seeded
    assert db.session.scalar(select(Agency.name)) == "Sunrise Home Care"
    assert _count(db, Office) == 3 and _count(db, Client) == 120
    assert _count(db, Payer) == 3 and _count(db, ServiceType) == 5
    finalized = _count(db, InvoiceBatch, InvoiceBatch.status == BatchStatus.FINALIZED)
    assert finalized >= 6
    assert _count(db, InvoiceBatch, InvoiceBatch.status == BatchStatus.DRAFT) == 1
    in_finalized = _count(db, Invoice, Invoice.batch.has(InvoiceBatch.status == BatchStatus.FINALIZED))
    assert 250 <= in_finalized <= 400
    assert seeded.counts["invoices"] == _count(db, Invoice)
    assert seeded.counts["lines"] == _count(db, InvoiceLine)
    assert _count(db, Client, Client.active.is_(False)) == 9


def test_every_line_kind_taxable_lines_and_third_party_invoices(db, seeded):
    for kind in LineKind:
        assert _count(db, InvoiceLine, InvoiceLine.kind == kind) > 0, kind
    # every invoice with a TAX line has a taxable line, and the tax is 8% of the taxable lines
    for invoice in db.session.scalars(select(Invoice).where(Invoice.lines.any(InvoiceLine.kind == LineKind.TAX))):
        taxable = sum(l.amount for l in invoice.lines if l.taxable)
        tax = sum(l.amount for l in invoice.lines if l.kind == LineKind.TAX)
        assert taxable > 0 and tax == to_cents(taxable * Decimal("0.08"))
    for payer in db.session.scalars(select(Payer)):
        assert _count(db, Invoice, Invoice.payer_id == payer.id) > 0, payer.name
    private = _count(db, Invoice, Invoice.payer_id.is_(None))
    assert private > _count(db, Invoice) / 2


def test_amounts_are_quantity_times_rate_and_totals_come_from_lines(db, seeded):
    for line in db.session.scalars(select(InvoiceLine)):
        assert line.amount == to_cents(line.quantity * line.rate)
        if line.kind == LineKind.DISCOUNT:
            assert line.rate < 0
        else:
            assert line.rate > 0 and line.quantity > 0
    for invoice in db.session.scalars(select(Invoice)):
        assert invoice.total == to_cents(sum((l.amount for l in invoice.lines), Decimal("0")))
        assert invoice.lines, invoice.number


def test_visits_are_complete_and_dated_inside_their_period_before_today(db, seeded):
    visits = list(db.session.scalars(select(InvoiceLine).where(InvoiceLine.kind == LineKind.SERVICE)))
    assert len(visits) > 1000
    for visit in visits:
        invoice = visit.invoice
        assert visit.service_type is not None and visit.caregiver_name
        assert invoice.period_start <= visit.service_date <= invoice.period_end < TODAY
        start = datetime.combine(visit.service_date, visit.start_time)
        end = datetime.combine(visit.service_date, visit.end_time)
        assert end - start == timedelta(hours=float(visit.quantity))
    rates = {v.rate for v in visits}
    assert Decimal("32.50") in rates and len(rates) > 5  # agency rates and payers' own rates
    assert _count(db, InvoiceLine, InvoiceLine.kind == LineKind.MILEAGE, InvoiceLine.rate == Decimal("0.67")) > 0


def test_numbers_are_unique_and_realistic(db, seeded):
    numbers = list(db.session.scalars(select(Invoice.number)))
    assert len(numbers) == len(set(numbers))
    assert all(re.fullmatch(r"INV-\d{5}", n) for n in numbers)
    batches = list(db.session.scalars(select(InvoiceBatch)))
    assert all(re.fullmatch(r"B-\d{4}-\d{2}-(MAIN|LAKE|NORTH)-\d{2}", b.number) for b in batches)
    draft = next(b for b in batches if b.status == BatchStatus.DRAFT)
    assert draft.number == "B-2026-11-MAIN-01" and draft.period_end < TODAY and draft.invoices
    for batch in batches:
        if batch.is_finalized:
            assert batch.finalized_at is not None and batch.finalized_by.role == Role.OWNER


def test_second_run_does_nothing_and_says_so(app, db, seeded):
    before = _count(db, Invoice), _count(db, Client), _count(db, User)
    again = seed_demo_agency(db.session, today=TODAY)
    assert not again.seeded
    assert "nothing was seeded" in again.message and "--reset" in again.message
    assert (_count(db, Invoice), _count(db, Client), _count(db, User)) == before
    assert ensure_demo_data(app).seeded is False


def test_reset_reseeds_identically(db, seeded):
    def snapshot():
        return [(i.number, i.client.code, i.total) for i in db.session.scalars(select(Invoice).order_by(Invoice.number))]

    first = snapshot()
    db.session.add(Client(code="EXTRA", office=db.session.scalar(select(Office).limit(1)),
                          first_name="Not", last_name="Demo"))
    db.session.commit()
    report = seed_demo_agency(db.session, today=TODAY, reset=True)
    assert report.seeded
    assert snapshot() == first
    assert _count(db, Client, Client.code == "EXTRA") == 0


def test_ensure_seeds_an_empty_database_only(app, db):
    report = ensure_demo_data(app)
    assert report.seeded and _count(db, Agency) == 1


def test_a_database_with_a_real_user_is_not_seeded(db, make_user):
    make_user(Role.OWNER)
    report = seed_demo_agency(db.session, today=TODAY)
    assert not report.seeded and _count(db, Client) == 0


def test_printed_logins_sign_in_with_their_role_and_offices(client, auth, db, seeded):
    text = seeded.text()
    assert "DEMO ONLY" in text
    for role, login in DEMO_LOGINS.items():
        assert login["email"] in text and login["password"] in text
        user = db.session.scalar(select(User).where(User.email == login["email"]))
        assert user.role == Role(role)
        assert auth.login(login["email"], login["password"]).status_code == 302
        assert client.get("/").status_code == 200
        auth.logout()
    agency_user = db.session.scalar(select(User).where(User.role == Role.AGENCY_USER))
    assert [o.name for o in agency_user.offices] == ["Lakeside", "North Branch"]
    assert auth.login(DEMO_LOGINS["owner"]["email"], "wrong-password").status_code == 200


def test_billing_periods_early_in_a_month_keep_last_month_as_draft():
    from datetime import date

    finalized, draft = billing_periods(date(2026, 3, 4))
    assert [p[0] for p in finalized] == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]
    assert finalized[-1][1] == date(2026, 1, 31)
    assert draft == (date(2026, 2, 1), date(2026, 2, 28))
    finalized, draft = billing_periods(date(2026, 11, 26))
    assert finalized[0] == (date(2026, 8, 1), date(2026, 8, 31))
    assert draft == (date(2026, 11, 1), date(2026, 11, 25))
