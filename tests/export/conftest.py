"""Export tests: CareLedger's app on its own database, and the local QBO sandbox on a real socket
(throttles on) holding a company with the agency's customers and items. The app is connected to
the sandbox with real OAuth tokens; every export goes over HTTP like it would to Intuit."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import httpx2
import pytest

from app import create_app
from extensions import db as _db
from tests.dburl import test_database_url
from tests.fixtures.sandbox import (build_sandbox, create_entity, default_preferences, income_account_id,
                                    issue_tokens, knobs, serve)

REALM = "9341453050290001"
CLIENT_ID = "careledger-export-tests"
CLIENT_SECRET = "export-tests-secret"


def make_sandbox(tmp_path, name="sandbox.sqlite"):
    return build_sandbox(tmp_path, db_name=name, throttle=True, client=(CLIENT_ID, CLIENT_SECRET, None),
                         companies=[(REALM, "Sunrise Home Care LLC",
                                     default_preferences(custom_txn_numbers=True))])


def app_config(tmp_path, sandbox_url: str, **extra) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "export-tests",
        # CARELEDGER_TEST_DATABASE_URL runs these on PostgreSQL (use a database of their own:
        # each test drops and creates the tables).
        "SQLALCHEMY_DATABASE_URI": test_database_url(tmp_path, "app.sqlite"),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "QBO_SANDBOX_ENABLED": False,
        "QBO_ENVIRONMENT": "local",
        "QBO_API_BASE_URL": sandbox_url,
        "QBO_DISCOVERY_URL": f"{sandbox_url}/.well-known/openid_configuration",
        "QBO_WEB_BASE_URL": f"{sandbox_url}/app",
        "QBO_CLIENT_ID": CLIENT_ID,
        "QBO_CLIENT_SECRET": CLIENT_SECRET,
        "QBO_REDIRECT_URI": "http://127.0.0.1/callback",
        "QBO_READ_TIMEOUT": 3.0,
        "QBO_EXPORT_WORKER": "off",
        "QBO_EXPORT_BACKOFF_BASE": 0.05,
        "QBO_EXPORT_BACKOFF_CAP": 0.5,
        "QBO_EXPORT_LEASE_SECONDS": 30,
        "QBO_EXPORT_THREADS": 4,
        "BASE_URL": "http://localhost",
        "WTF_CSRF_ENABLED": False,
    }
    config.update(extra)
    return config


def connect(app, sandbox_app) -> None:
    """The stored QBO connection, with tokens issued by the sandbox's OAuth server."""
    from models.qbo import CONNECTION_ID, ConnectionStatus, QboConnection
    from qbo.oauth import TokenSet
    from services.qbo_connection.tokens import store_token_set

    with app.app_context():
        if _db.session.get(QboConnection, CONNECTION_ID) is None:
            _db.session.add(QboConnection(id=CONNECTION_ID, status=ConnectionStatus.CONNECTED,
                                          environment="local", realm_id=REALM,
                                          company_name="Sunrise Home Care LLC"))
            _db.session.commit()
        store_token_set(TokenSet.from_response(issue_tokens(
            sandbox_app, CLIENT_ID, REALM, scope="com.intuit.quickbooks.accounting openid")))


@dataclass
class Books:
    """The agency's finalized batch and its counterpart customers in the sandbox."""

    app: object
    sandbox: object
    sandbox_url: str
    batch_id: int
    invoice_ids: list[int]
    customer_of: dict[int, str] = field(default_factory=dict)   # invoice id → QBO customer id
    user_id: int | None = None

    # --- looking at QuickBooks through its API ---------------------------------------------------
    def api(self) -> httpx2.Client:
        token = issue_tokens(self.sandbox, CLIENT_ID, REALM)["access_token"]
        return httpx2.Client(base_url=self.sandbox_url, timeout=30,
                            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})

    def qbo_invoices(self) -> list[dict]:
        sandbox_knobs = knobs(self.sandbox)
        saved = (sandbox_knobs.throttle_enabled, list(sandbox_knobs.faults))
        sandbox_knobs.throttle_enabled = False
        sandbox_knobs.clear_faults()
        rows: list[dict] = []
        try:
            with self.api() as http:
                for start in itertools.count(1, 1000):
                    answer = http.get(f"/v3/company/{REALM}/query", params={
                        "query": f"select * from Invoice startposition {start} maxresults 1000",
                        "minorversion": "75"})
                    assert answer.status_code == 200, answer.text
                    page = answer.json()["QueryResponse"].get("Invoice", [])
                    rows += page
                    if len(page) < 1000:
                        break
        finally:
            sandbox_knobs.throttle_enabled = saved[0]
            sandbox_knobs.faults.extend(saved[1])
        return rows

    def assert_exactly_once(self, invoice_ids=None, foreign: int = 0) -> list[dict]:
        """Every chosen invoice is in QBO exactly once, with its customer, lines and total (tax
        excluded), and QBO holds nothing else; the export records agree."""
        from models import Invoice
        from models.export import ExportStatus, InvoiceExport

        invoice_ids = list(invoice_ids or self.invoice_ids)
        found = self.qbo_invoices()
        by_number: dict[str, list[dict]] = {}
        for doc in found:
            by_number.setdefault(doc.get("DocNumber"), []).append(doc)
        with self.app.app_context():
            invoices = {i.id: i for i in _db.session.scalars(
                _db.select(Invoice).where(Invoice.id.in_(invoice_ids)))}
            for invoice_id in invoice_ids:
                invoice = invoices[invoice_id]
                docs = by_number.get(invoice.number, [])
                assert len(docs) == 1, f"{invoice.number}: {len(docs)} copies in QuickBooks"
                doc = docs[0]
                assert doc["CustomerRef"]["value"] == self.customer_of[invoice_id]
                expected = Decimal(invoice.subtotal).quantize(Decimal("0.01"))
                assert Decimal(str(doc["TotalAmt"])) == expected, invoice.number
                billed = sorted(Decimal(line.amount) for line in invoice.lines if line.kind.value != "tax")
                sent = sorted(Decimal(str(line["Amount"])) for line in doc["Line"]
                              if line.get("DetailType") == "SalesItemLineDetail")
                assert sent == billed, invoice.number
                record = _db.session.scalar(_db.select(InvoiceExport).where(
                    InvoiceExport.invoice_id == invoice_id))
                assert record.status == ExportStatus.EXPORTED, (invoice.number, record.last_error)
                assert record.qbo_id == doc["Id"]
        expected_count = len(invoice_ids) + foreign  # `foreign`: invoices someone else made
        assert len(found) == expected_count, f"{len(found)} invoices in QBO, expected {expected_count}"
        return found


def seed_books(app, sandbox_app, sandbox_url: str, invoices: int = 12, with_tax: bool = True,
               batch_number: str = "B-0001", first_number: int = 5001) -> Books:
    """An office, clients linked to sandbox customers, a service item mapping, and one finalized
    batch of `invoices` invoices (2 service lines each, a tax line on every other)."""
    from models import BatchStatus, CustomerLink, LineKind, LinkKind, LinkSource, Role
    from models.sync_settings import ItemMapping, SyncSettings
    from tests.fixtures.agency import (ClientFactory, InvoiceBatchFactory, InvoiceFactory, OfficeFactory,
                                       ServiceLineFactory, ServiceTypeFactory, UserFactory)

    with app.app_context():
        office = OfficeFactory(name="Springfield", code="SPR", agency__name="Sunrise Home Care")
        service = ServiceTypeFactory(name="Personal care", code="PC")
        user = UserFactory(email="owner@example.test", name="Olive Owner", role=Role.OWNER)
        income = income_account_id(sandbox_app, REALM)
        item = create_entity(sandbox_app, REALM, "Item", {"Name": "Home care visit", "Type": "Service",
                                                          "IncomeAccountRef": {"value": income}})
        customers = [create_entity(sandbox_app, REALM, "Customer", {
            "DisplayName": f"Client {n:04d}", "GivenName": "Client", "FamilyName": f"{n:04d}"})
            for n in range(invoices)]
        _db.session.add(SyncSettings(realm_id=REALM))
        _db.session.add(ItemMapping(realm_id=REALM, slot="service:default", qbo_item_id=item["Id"],
                                    qbo_item_name=item["Name"]))
        batch = InvoiceBatchFactory(number=batch_number, office=office)
        start = batch.period_start
        made = []
        for n in range(invoices):
            client = ClientFactory(code=f"C{first_number + n}", office=office, last_name=f"{n:04d}")
            _db.session.add(CustomerLink(realm_id=REALM, kind=LinkKind.CLIENT, client_id=client.id,
                                         qbo_customer_id=customers[n]["Id"],
                                         qbo_display_name=customers[n]["DisplayName"],
                                         source=LinkSource.MANUAL))
            lines = [ServiceLineFactory.build(position=1, service_type=service, quantity=Decimal("3.5"),
                                              rate=Decimal("28.57")),
                     ServiceLineFactory.build(position=2, service_type=service,
                                              service_date=start + timedelta(days=2),
                                              quantity=Decimal(2 + n % 3), rate=Decimal("31.00"))]
            if with_tax and n % 2 == 0:
                lines.append(ServiceLineFactory.build(position=3, kind=LineKind.TAX, description="Tax",
                                                      service_date=None, rate=Decimal("4.10")))
            invoice = InvoiceFactory(batch=batch, number=str(first_number + n), client=client, lines=lines)
            made.append((invoice, customers[n]["Id"]))
        _db.session.flush()
        batch.status = BatchStatus.FINALIZED
        _db.session.commit()
        # Sync Settings was opened before any export, so the company's tax settings are known
        # (a US company without automated sales tax, as the sandbox makes it by default).
        from services.qbo_tax.profile import TaxProfile, store

        store(TaxProfile(realm_id=REALM, country="US"))
        books_customers = {invoice.id: customer_id for invoice, customer_id in made}
        return Books(app=app, sandbox=sandbox_app, sandbox_url=sandbox_url, batch_id=batch.id,
                     invoice_ids=[invoice.id for invoice, _ in made], customer_of=books_customers,
                     user_id=user.id)


@pytest.fixture
def sandbox_live(tmp_path):
    sandbox_app = make_sandbox(tmp_path)
    live, stop = serve(sandbox_app)
    yield live
    stop()


@pytest.fixture
def make_export_app(tmp_path, sandbox_live):
    """Build the app (with extra config), on fresh tables, connected to the live sandbox."""
    made = []

    def _make(**extra):
        app = create_app(app_config(tmp_path, sandbox_live.base_url, **extra))
        with app.app_context():
            _db.drop_all()
            _db.create_all()
        connect(app, sandbox_live.app)
        made.append(app)
        return app

    yield _make
    for app in made:
        with app.app_context():
            _db.session.remove()
            _db.drop_all()
            _db.engine.dispose()


@pytest.fixture
def export_app(make_export_app):
    return make_export_app()


@pytest.fixture
def books(export_app, sandbox_live):
    return seed_books(export_app, sandbox_live.app, sandbox_live.base_url)


def knobs_of(books: Books):
    return knobs(books.sandbox)


def start_job(books: Books, invoice_ids=None, user=True):
    from models import InvoiceBatch, User
    from services import export

    with books.app.app_context():
        batch = _db.session.get(InvoiceBatch, books.batch_id)
        who = _db.session.get(User, books.user_id) if user else None
        job = export.start_export(who, batch, list(invoice_ids or books.invoice_ids))
        return job.id


def run_jobs(books: Books, threads: int = 4, timeout: float = 60.0, **worker_kwargs):
    """Run an exporter in the foreground until nothing is queued or in flight."""
    from services.export import records
    from services.export.worker import ExportWorker

    worker = ExportWorker(books.app, threads=threads, **worker_kwargs)

    def idle():
        from models.export import ExportStatus, InvoiceExport

        return _db.session.scalar(_db.select(InvoiceExport.id).where(InvoiceExport.status.in_(
            [ExportStatus.QUEUED, ExportStatus.SENDING])).limit(1)) is None

    assert worker.run_until(idle, timeout=timeout, tick_seconds=0.1), "export did not finish"
    with books.app.app_context():
        records.close_finished_jobs()
        _db.session.commit()
    return worker


def records_by_invoice(books: Books) -> dict:
    from models.export import InvoiceExport

    with books.app.app_context():
        rows = _db.session.scalars(_db.select(InvoiceExport)).all()
        return {r.invoice_id: r for r in rows}


def app_whose_token_expires_mid_export(make_export_app, sandbox_live):
    """An export app whose access token QuickBooks stops accepting after 2 s while the app
    believes it good for an hour (the first send after the wait gets a 401). Returns the app;
    call `wait_for_token_expiry()` once the books are seeded."""
    from datetime import datetime, timedelta, timezone

    from models.qbo import QboConnection

    knobs = sandbox_live.app.extensions["qbo_sandbox.knobs"]
    knobs.access_token_lifetime = 2
    app = make_export_app()
    knobs.access_token_lifetime = 3600
    with app.app_context():
        row = _db.session.get(QboConnection, 1)
        row.access_expires_at = datetime.now(timezone.utc) + timedelta(hours=1)
        _db.session.commit()
    return app


def wait_for_token_expiry() -> None:
    import time

    time.sleep(2.5)


def token_version(app) -> int:
    from models.qbo import QboConnection

    with app.app_context():
        return _db.session.get(QboConnection, 1).token_version
