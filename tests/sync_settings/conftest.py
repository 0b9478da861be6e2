"""Fixtures for sync-settings tests: the local QBO sandbox in-process (httpx2.WSGITransport), a
company in it with a dozen items, and a real QboClient holding a token the sandbox issued."""
from __future__ import annotations

from dataclasses import dataclass

import httpx2
import pytest

from qbo.client import QboClient, StaticTokens
from qbo.retry import NO_RETRY
from tests.fixtures.sandbox import build_sandbox as build_qbo_sandbox, issue_tokens

REALM = "9341453050291111"
CLIENT_ID = "careledger-sync-tests"
SANDBOX_BASE = "http://qbo-sandbox.test"

# The demo agency's products and services (as a bookkeeper would have set them up).
AGENCY_ITEMS = [
    ("Personal Care", "Service", "Home Care Income"),
    ("Companion", "Service", "Home Care Income"),
    ("Respite", "Service", "Home Care Income"),
    ("Skilled Nursing", "Service", "Nursing Income"),
    ("Homemaker", "Service", "Home Care Income"),
    ("Mileage", "NonInventory", "Reimbursed Income"),
    ("Expense Reimbursement", "NonInventory", "Reimbursed Income"),
    ("Holiday Premium", "Service", "Home Care Income"),
    ("Overtime Premium", "Service", "Home Care Income"),
    ("Discount", "Service", "Discounts Given"),
]


@dataclass
class Sandbox:
    app: object
    realm_id: str
    token: str
    transport: httpx2.WSGITransport

    def client(self) -> QboClient:
        http = httpx2.Client(transport=self.transport, base_url=SANDBOX_BASE)
        return QboClient(http, base_url=SANDBOX_BASE, realm_id=self.realm_id,
                         tokens=StaticTokens(self.token), retry=NO_RETRY)

    def create(self, entity: str, body: dict, request_id: str) -> dict:
        return self.client().create(entity, body, request_id)

    def update(self, entity: str, body: dict, request_id: str) -> dict:
        return self.client().update(entity, body, request_id)


def build_sandbox(tmp_path, preferences=None) -> Sandbox:
    app = build_qbo_sandbox(tmp_path, companies=[(REALM, "Sunrise Home Care LLC", preferences)],
                            client=(CLIENT_ID, "sync-tests-secret", ["http://127.0.0.1/callback"]))
    token = issue_tokens(app, CLIENT_ID, REALM)["access_token"]
    sandbox = Sandbox(app, REALM, token, httpx2.WSGITransport(app=app))
    accounts = {}
    for n, (name, item_type, account) in enumerate(AGENCY_ITEMS):
        if account not in accounts:
            accounts[account] = sandbox.create(
                "Account", {"Name": account, "AccountType": "Income",
                            "AccountSubType": "ServiceFeeIncome"}, f"acct-{len(accounts)}")
        sandbox.create("Item", {"Name": name, "Type": item_type,
                                "IncomeAccountRef": {"value": accounts[account]["Id"]}}, f"item-{n}")
    for name in ("Main Office", "Lakeside", "North Branch"):
        sandbox.create("Class", {"Name": name}, f"class-{name[:4]}")
        sandbox.create("Department", {"Name": name}, f"dept-{name[:4]}")
    return sandbox


@pytest.fixture
def sandbox(tmp_path):
    return build_sandbox(tmp_path)


@pytest.fixture
def qbo(sandbox):
    return sandbox.client()


class CountingTransport(httpx2.BaseTransport):
    """Counts the Accounting API queries that pass through (to see the paging)."""

    def __init__(self, inner: httpx2.BaseTransport):
        self.inner = inner
        self.queries: list[str] = []

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/query"):
            self.queries.append(request.url.params.get("query", ""))
        return self.inner.handle_request(request)


@pytest.fixture
def agency(db):
    """The agency side: offices, service types, a client, and a helper that adds an invoice
    (finalized or draft) with lines of the given kinds."""
    from datetime import date
    from decimal import Decimal

    from models import (Agency, BatchStatus, Client, Invoice, InvoiceBatch, InvoiceLine,
                        LineKind, Office, ServiceType)

    agency = Agency(name="Sunrise Home Care")
    offices = [Office(agency=agency, name=n, code=c)
               for n, c in (("Main Office", "MAIN"), ("Lakeside", "LAKE"))]
    types = [ServiceType(name="Personal Care", code="PC"), ServiceType(name="Companion", code="COMP")]
    client = Client(code="C1", office=offices[0], first_name="Rosa", last_name="Ibarra")
    db.session.add_all([agency, *offices, *types, client])
    db.session.commit()
    counter = {"n": 0}

    def add_invoice(kinds, finalized=True, number=None, service_type=None):
        counter["n"] += 1
        n = counter["n"]
        batch = InvoiceBatch(number=f"B-{n}", office=offices[0], period_start=date(2026, 3, 1),
                             period_end=date(2026, 3, 14),
                             status=BatchStatus.FINALIZED if finalized else BatchStatus.DRAFT)
        invoice = Invoice(batch=batch, number=number or f"{10000 + n}", client=client,
                          invoice_date=date(2026, 3, 15), due_date=date(2026, 4, 14),
                          period_start=date(2026, 3, 1), period_end=date(2026, 3, 14))
        for position, kind in enumerate(kinds):
            kind = LineKind(kind)
            invoice.lines.append(InvoiceLine(
                position=position, kind=kind, quantity=Decimal("2"), rate=Decimal("30"),
                service_type=(service_type or types[0]) if kind == LineKind.SERVICE else None,
                service_date=date(2026, 3, 2)))
        db.session.add(batch)
        db.session.commit()
        return invoice

    return type("AgencyData", (), {"offices": offices, "types": types, "client": client,
                                   "add_invoice": staticmethod(add_invoice)})
