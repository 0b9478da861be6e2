"""The demo agency "Sunrise Home Care": offices, clients, payers, service types, a few months of
finalized invoice batches, one draft batch, and one sign-in per role.

Deterministic for a given `rng_seed` and `today` (each client's care plan has its own seeded random,
so one client's data does not shift when another's changes). Billing periods are calendar months
ending before `today`; the draft batch is the month in progress (or, in a month's first week, last
month, which is typically still being prepared).

Everything is added in one transaction: batches are created already finalized, which the finalized-
batch lock (services.agency.batches) allows for rows new in the same flush.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from demo_data.caregivers import DEMO_CAREGIVERS
from demo_data.logins import DEMO_LOGINS
from demo_data.people import (AGENCY_NAME, AGENCY_TIMEZONE, CAREGIVERS, OFFICES, PAYERS, PEOPLE,
                              SERVICE_TYPES, DemoPerson)
from extensions import db
from models import (Agency, BatchStatus, Caregiver, Client, Invoice, InvoiceBatch, InvoiceLine, LineKind, Office,
                    Payer, PayerKind, Role, ServiceType, User, WorkerKind)
from models._types import to_cents

DEFAULT_SEED = 2026
FIRST_INVOICE_NUMBER = 24051
FINALIZED_MONTHS = 3
MILEAGE_RATE = Decimal("0.67")  # per mile
SALES_TAX_RATE = Decimal("0.08")  # on taxable supplies
HOLIDAY_FACTOR = Decimal("0.5")  # premium on top of the base rate: time and a half
OVERTIME_FACTOR = Decimal("0.5")
OVERTIME_AFTER_HOURS = Decimal("40")

# What the third-party payers pay per hour when it is not the agency's own rate.
PAYER_RATES = {
    "va": {"PC": "31.25", "COMP": "27.00", "RESP": "31.25", "SN": "58.00", "HM": "31.25"},
    "medicaid_waiver": {"PC": "25.60", "COMP": "22.40", "RESP": "25.60", "SN": "52.75", "HM": "23.10"},
}
PAYMENT_TERMS_DAYS = {None: 30, "ltc_insurance": 45, "va": 45, "medicaid_waiver": 60}

EXPENSES = (  # (description, low, high, taxable)
    ("Groceries purchased for client", "28.00", "96.00", False),
    ("Prescription pick-up co-pay", "5.00", "40.00", False),
    ("Personal care supplies (gloves, wipes, barrier cream)", "18.00", "64.00", True),
    ("Household cleaning supplies", "12.00", "45.00", True),
)
DISCOUNTS = (
    (Decimal("0.05"), "Veteran family discount 5%"),
    (Decimal("0.10"), "Long-standing client courtesy 10%"),
)
START_TIMES = (time(7, 0), time(8, 0), time(8, 30), time(9, 0), time(10, 0), time(12, 0),
               time(13, 0), time(14, 0), time(16, 0))
UTC = timezone.utc


# ---------------------------------------------------------------------------------------------
# Report


@dataclass
class SeedReport:
    seeded: bool
    message: str
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[dict] = field(default_factory=list)

    def text(self) -> str:
        lines = [self.message]
        if self.logins:
            lines.append("Demo sign-ins (DEMO ONLY - fixed, published passwords; never use on real data):")
            for login in self.logins:
                offices = f"   (offices: {', '.join(login['offices'])})" if login["offices"] else ""
                lines.append(f"  {login['role']:<12} {login['email']:<28} {login['password']}{offices}")
        return "\n".join(lines)


def demo_logins() -> list[dict]:
    return [{"role": Role(role).label, **login} for role, login in DEMO_LOGINS.items()]


# ---------------------------------------------------------------------------------------------
# Entry points


def database_is_empty(session: Session) -> bool:
    """No agency, office, client or user: nothing a seed could collide with or overwrite."""
    return all(session.scalar(select(model.id).limit(1)) is None for model in (Agency, Office, Client, User))


def reset_database(session: Session) -> None:
    """Delete every row of every CareLedger table (not the QBO sandbox's separate database).

    Core DELETEs, children first: they bypass the ORM's finalized-batch lock on purpose.
    """
    for table in reversed(db.metadata.sorted_tables):
        session.execute(table.delete())
    session.commit()


def seed_demo_agency(session: Session, rng_seed: int = DEFAULT_SEED, today: date | None = None,
                     reset: bool = False) -> SeedReport:
    if reset:
        reset_database(session)
    elif not database_is_empty(session):
        agency = session.scalar(select(Agency.name).limit(1))
        holds = f"an agency ({agency})" if agency else "data"
        return SeedReport(seeded=False, message=(
            f"The database already holds {holds}; nothing was seeded. "
            "Run `flask demo seed --reset` to wipe it and seed the demo agency again."),
            logins=demo_logins() if _demo_owner_exists(session) else [])
    builder = _DemoBuilder(rng_seed, today or date.today())
    counts = builder.build(session)
    session.commit()
    message = (f"Seeded the demo agency \"{AGENCY_NAME}\": {counts['offices']} offices, {counts['clients']} "
               f"clients, {counts['caregivers']} caregivers, {counts['payers']} payers, "
               f"{counts['service_types']} service types, "
               f"{counts['finalized_batches']} finalized batches + {counts['draft_batches']} draft, "
               f"{counts['invoices']} invoices ({counts['lines']} lines).")
    return SeedReport(seeded=True, message=message, counts=counts, logins=demo_logins())


def ensure_demo_data(app) -> SeedReport:
    """Seed the demo agency on first run only (an empty database); otherwise change nothing."""
    with app.app_context():
        return seed_demo_agency(db.session)


def _demo_owner_exists(session: Session) -> bool:
    email = DEMO_LOGINS["owner"]["email"]
    return session.scalar(select(User.id).where(User.email == email)) is not None


# ---------------------------------------------------------------------------------------------
# Dates


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(first_of_month: date) -> date:
    return _add_months(first_of_month, 1) - timedelta(days=1)


def billing_periods(today: date) -> tuple[list[tuple[date, date]], tuple[date, date]]:
    """(finalized monthly periods, oldest first; the draft period)."""
    this_month = today.replace(day=1)
    if today.day <= 7:  # early in a month last month's invoices are still a draft
        last_finalized = _add_months(this_month, -2)
        draft = (_add_months(this_month, -1), this_month - timedelta(days=1))
    else:
        last_finalized = _add_months(this_month, -1)
        draft = (this_month, today - timedelta(days=1))
    starts = [_add_months(last_finalized, -k) for k in range(FINALIZED_MONTHS - 1, -1, -1)]
    return [(start, _month_end(start)) for start in starts], draft


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    last = _month_end(date(year, month, 1))
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def us_holidays(year: int) -> dict[date, str]:
    """The US federal holidays the demo agency bills a premium on."""
    return {
        date(year, 1, 1): "New Year's Day",
        _nth_weekday(year, 1, 0, 3): "Martin Luther King Jr. Day",
        _nth_weekday(year, 2, 0, 3): "Presidents' Day",
        _last_weekday(year, 5, 0): "Memorial Day",
        date(year, 6, 19): "Juneteenth",
        date(year, 7, 4): "Independence Day",
        _nth_weekday(year, 9, 0, 1): "Labor Day",
        _nth_weekday(year, 10, 0, 2): "Columbus Day",
        date(year, 11, 11): "Veterans Day",
        _nth_weekday(year, 11, 3, 4): "Thanksgiving Day",
        date(year, 12, 25): "Christmas Day",
    }


# ---------------------------------------------------------------------------------------------
# Care plans: what each client receives, drawn once per client


@dataclass(frozen=True)
class CarePlan:
    service_code: str
    weekdays: tuple[int, ...]
    start: time
    hours: Decimal
    caregivers: tuple[str, ...]
    payer_kind: str | None
    mileage: bool
    expense_chance: float
    discount: tuple[Decimal, str] | None


def care_plan(person: DemoPerson, rng_seed: int) -> CarePlan:
    rng = random.Random(f"{rng_seed}:{person.client_code}")
    service = rng.choices(["PC", "COMP", "HM", "RESP", "SN"], weights=(40, 22, 16, 12, 10))[0]
    heavy = rng.random() < 0.04  # long days, five or six a week: overtime premiums
    if heavy:
        weekdays = tuple(range(rng.choice((5, 6))))
        hours = Decimal(rng.choice(("8.5", "9", "10")))
        start = time(7, 0)
    else:
        per_week = rng.choices((1, 2, 3, 4, 5), weights=(10, 25, 30, 20, 15))[0]
        weekdays = tuple(sorted(rng.sample(range(7), per_week)))
        hours = Decimal(rng.choice(("2", "2.5", "3", "4", "4", "4.5", "5", "6")))
        if service == "SN":
            hours = Decimal(rng.choice(("1", "1.5", "2")))
        start = rng.choice(START_TIMES)
    payer_kind = rng.choices((None, "ltc_insurance", "va", "medicaid_waiver"), weights=(72, 12, 8, 8))[0]
    caregivers = tuple(rng.sample(CAREGIVERS, 2))
    discount = rng.choice(DISCOUNTS) if payer_kind is None and rng.random() < 0.1 else None
    return CarePlan(service_code=service, weekdays=weekdays, start=start, hours=hours,
                    caregivers=caregivers, payer_kind=payer_kind, mileage=rng.random() < 0.3,
                    expense_chance=0.25 if rng.random() < 0.4 else 0.0, discount=discount)


def hourly_rate(service_code: str, payer_kind: str | None) -> Decimal:
    override = PAYER_RATES.get(payer_kind or "", {}).get(service_code)
    if override:
        return Decimal(override)
    return next(s.hourly_rate for s in SERVICE_TYPES if s.code == service_code)


def _end_time(start: time, hours: Decimal) -> time:
    minutes = start.hour * 60 + start.minute + int(hours * 60)
    return time(minutes // 60, minutes % 60)


# ---------------------------------------------------------------------------------------------
# Building


class _DemoBuilder:
    def __init__(self, rng_seed: int, today: date):
        self.rng_seed = rng_seed
        self.today = today
        self.rng = random.Random(rng_seed)
        self.next_invoice_number = FIRST_INVOICE_NUMBER

    def build(self, session: Session) -> dict[str, int]:
        agency = Agency(name=AGENCY_NAME, timezone=AGENCY_TIMEZONE)
        self.offices = {o.name: Office(agency=agency, name=o.name, code=o.code) for o in OFFICES}
        self.service_types = {s.code: ServiceType(name=s.name, code=s.code) for s in SERVICE_TYPES}
        self.payers = {p.kind: Payer(name=p.name, kind=PayerKind(p.kind), email=p.email, phone=p.phone,
                                     address_line1=p.address_line1, city=p.city, state=p.state,
                                     postal_code=p.postal_code) for p in PAYERS}
        self.clients = {p.client_code: self._client(p) for p in PEOPLE}
        self.caregivers = {c.name: self._caregiver(c) for c in DEMO_CAREGIVERS}
        users = self._users()
        owner = users[0]
        session.add_all([agency, *self.offices.values(), *self.service_types.values(),
                         *self.payers.values(), *self.clients.values(), *self.caregivers.values(), *users])

        finalized_periods, draft_period = billing_periods(self.today)
        batches = []
        for month_index, period in enumerate(finalized_periods):
            for office in OFFICES:
                batch = self._batch(office.name, period, first_month=month_index == 0)
                batch.status = BatchStatus.FINALIZED
                finalized_on = min(period[1] + timedelta(days=3), self.today)
                batch.finalized_at = datetime.combine(finalized_on, time(15, 30), tzinfo=UTC)
                batch.finalized_by = owner
                batches.append(batch)
        batches.append(self._batch(OFFICES[0].name, draft_period, first_month=False))
        self._link_caregivers(batches)
        session.add_all(batches)
        session.flush()  # one flush: the batches are new, so creating them finalized is allowed

        invoices = [i for b in batches for i in b.invoices]
        return {
            "offices": len(self.offices), "clients": len(self.clients), "payers": len(self.payers),
            "service_types": len(self.service_types), "users": len(users),
            "caregivers": len(self.caregivers),
            "finalized_batches": sum(b.status == BatchStatus.FINALIZED for b in batches),
            "draft_batches": sum(b.status == BatchStatus.DRAFT for b in batches),
            "invoices": len(invoices), "lines": sum(len(i.lines) for i in invoices),
        }

    def _client(self, person: DemoPerson) -> Client:
        return Client(code=person.client_code, office=self.offices[person.office],
                      first_name=person.first_name, middle_name=person.middle_name,
                      last_name=person.last_name, suffix=person.suffix, preferred_name=person.preferred_name,
                      email=person.email, phone=person.phone, address_line1=person.address_line1,
                      address_line2="", city=person.city, state=person.state,
                      postal_code=person.postal_code, active=person.active)

    def _caregiver(self, demo) -> Caregiver:
        office = next(o for o in self.offices.values() if o.code == demo.office)
        return Caregiver(code=demo.code, office=office, first_name=demo.first_name, last_name=demo.last_name,
                         preferred_name=demo.preferred_name, email=demo.email, phone=demo.phone,
                         kind=WorkerKind(demo.kind), active=demo.active)

    def _link_caregivers(self, batches) -> None:
        """Every line naming a caregiver references that caregiver's record."""
        for batch in batches:
            for invoice in batch.invoices:
                for line in invoice.lines:
                    if line.caregiver_name:
                        line.caregiver = self.caregivers[line.caregiver_name]

    def _users(self) -> list[User]:
        users = []
        for role, login in DEMO_LOGINS.items():  # owner first
            user = User(email=login["email"], name=login["name"], role=Role(role))
            user.set_password(login["password"])
            user.offices = [self.offices[name] for name in login["offices"]]
            users.append(user)
        return users

    def _batch(self, office_name: str, period: tuple[date, date], first_month: bool) -> InvoiceBatch:
        start, end = period
        office = self.offices[office_name]
        batch = InvoiceBatch(number=f"B-{start.year}-{start.month:02d}-{office.code}-01", office=office,
                             period_start=start, period_end=end, status=BatchStatus.DRAFT)
        invoice_date = end + timedelta(days=1)
        for person in PEOPLE:
            if person.office != office_name:
                continue
            if not person.active and not first_month:  # inactive clients were billed before they left
                continue
            if self.rng.random() < 0.07:  # a month without visits (hospital stay, family visiting)
                continue
            invoice = self._invoice(person, start, end, invoice_date)
            if invoice.lines:
                batch.invoices.append(invoice)
        return batch

    def _invoice(self, person: DemoPerson, start: date, end: date, invoice_date: date) -> Invoice:
        plan = care_plan(person, self.rng_seed)
        payer = self.payers[plan.payer_kind] if plan.payer_kind else None
        number = f"INV-{self.next_invoice_number}"
        self.next_invoice_number += 1
        invoice = Invoice(number=number, client=self.clients[person.client_code], payer=payer,
                          invoice_date=invoice_date,
                          due_date=invoice_date + timedelta(days=PAYMENT_TERMS_DAYS[plan.payer_kind]),
                          period_start=start, period_end=end)
        lines = self._lines(plan, start, end)
        for position, line in enumerate(lines):
            line.position = position
        invoice.lines = lines
        return invoice

    def _lines(self, plan: CarePlan, start: date, end: date) -> list[InvoiceLine]:
        rng = self.rng
        service_type = self.service_types[plan.service_code]
        rate = hourly_rate(plan.service_code, plan.payer_kind)
        holidays = {**us_holidays(start.year), **us_holidays(end.year)}
        lines: list[InvoiceLine] = []
        week_hours: dict[tuple[int, int], list] = {}
        day = start
        while day <= end:
            if day.weekday() in plan.weekdays and rng.random() > 0.04:  # a few cancelled visits
                caregiver = plan.caregivers[1] if rng.random() < 0.2 else plan.caregivers[0]
                hours = plan.hours + (Decimal("0.5") if rng.random() < 0.08 else Decimal("0"))
                lines.append(InvoiceLine(
                    kind=LineKind.SERVICE, service_type=service_type, service_date=day,
                    caregiver_name=caregiver, start_time=plan.start, end_time=_end_time(plan.start, hours),
                    quantity=hours, rate=rate, description=f"{service_type.name} visit"))
                week = week_hours.setdefault(day.isocalendar()[:2], [Decimal("0"), day])
                week[0] += hours
                week[1] = day
                if day in holidays:
                    lines.append(InvoiceLine(
                        kind=LineKind.HOLIDAY_PREMIUM, service_type=service_type, service_date=day,
                        caregiver_name=caregiver, quantity=hours, rate=to_cents(rate * HOLIDAY_FACTOR),
                        description=f"Holiday premium - {holidays[day]} (time and a half)"))
            day += timedelta(days=1)
        for hours, last_day in week_hours.values():
            if hours > OVERTIME_AFTER_HOURS:
                lines.append(InvoiceLine(
                    kind=LineKind.OVERTIME_PREMIUM, service_type=service_type, service_date=last_day,
                    quantity=hours - OVERTIME_AFTER_HOURS, rate=to_cents(rate * OVERTIME_FACTOR),
                    description=f"Overtime premium - week ending {last_day:%b %d} (hours over 40)"))
        if not lines:
            return lines
        if plan.mileage:
            miles = Decimal(rng.randint(60, 640)) / 10
            lines.append(InvoiceLine(kind=LineKind.MILEAGE, quantity=miles, rate=MILEAGE_RATE,
                                     caregiver_name=plan.caregivers[0],
                                     description="Mileage - errands and appointments"))
        taxable_total = Decimal("0")
        if rng.random() < plan.expense_chance:
            description, low, high, taxable = rng.choice(EXPENSES)
            cents = rng.randint(int(Decimal(low) * 100), int(Decimal(high) * 100))
            amount = Decimal(cents) / 100
            expense_day = start + timedelta(days=rng.randrange((end - start).days + 1))
            lines.append(InvoiceLine(kind=LineKind.EXPENSE, quantity=Decimal("1"), rate=amount,
                                     service_date=expense_day, taxable=taxable,
                                     caregiver_name=plan.caregivers[0],
                                     description=f"{description} (receipt attached)"))
            if taxable:
                taxable_total += amount
        if plan.discount:
            percent, label = plan.discount
            services = sum((line.amount for line in lines if line.kind == LineKind.SERVICE), Decimal("0"))
            lines.append(InvoiceLine(kind=LineKind.DISCOUNT, quantity=Decimal("1"),
                                     rate=-to_cents(services * percent), description=label))
        if taxable_total:
            lines.append(InvoiceLine(kind=LineKind.TAX, quantity=Decimal("1"),
                                     rate=to_cents(taxable_total * SALES_TAX_RATE),
                                     description=f"Sales tax {SALES_TAX_RATE * 100:.0f}% on taxable supplies"))
        return lines
