"""Fixtures for the Client Matching tab: a local QBO sandbox company served on a real socket
(so injected drops and timeouts look exactly like network failures), a QboClient on it, agency
data whose clients drift from the company's customers, and a CareLedger app connected to it."""
from __future__ import annotations

import itertools
from types import SimpleNamespace

import httpx2
import pytest

from qbo.client import QboClient, StaticTokens
from qbo.retry import RetryPolicy
from tests.fixtures.sandbox import build_sandbox, issue_tokens, knobs as sandbox_knobs, serve

REALM = "9341453100000006"
CLIENT_ID = "careledger-matching-tests"
CLIENT_SECRET = "matching-secret"
_ids = itertools.count(1)


@pytest.fixture
def sandbox(tmp_path):
    """The sandbox app with one company: customers as a bookkeeper typed them, plus a vendor and
    an employee whose names collide with clients who have no customer yet."""
    app = build_sandbox(tmp_path, companies=[(REALM, "Matching Test Care LLC")],
                        client=(CLIENT_ID, CLIENT_SECRET, None))
    live, stop = serve(app)
    app.config["LIVE_URL"] = live.base_url
    yield app
    stop()


def knobs(sandbox):
    return sandbox_knobs(sandbox)


def make_qbo(sandbox, *, attempts: int = 1, read_timeout: float = 5.0) -> QboClient:
    token = issue_tokens(sandbox, CLIENT_ID, REALM)["access_token"]
    http = httpx2.Client(timeout=httpx2.Timeout(read_timeout, connect=2.0))
    return QboClient(http, base_url=sandbox.config["LIVE_URL"], realm_id=REALM,
                     tokens=StaticTokens(token),
                     retry=RetryPolicy(max_attempts=attempts, base_delay=0.01, sleep=lambda s: None))


@pytest.fixture
def qbo(sandbox):
    client = make_qbo(sandbox)
    yield client
    client.http.close()


def create(qbo, entity: str, body: dict) -> dict:
    return qbo.create(entity, body, request_id=f"seed-{next(_ids)}-{entity}")


def customers_named(qbo, name: str) -> list[dict]:
    from qbo.client import quote

    return qbo.query_all("Customer", f"DisplayName = {quote(name)} AND Active IN (true, false)")


@pytest.fixture
def books(qbo):
    """What the QuickBooks company already holds."""
    c = lambda body: create(qbo, "Customer", body)  # noqa: E731
    abbott = c({"DisplayName": "Abbott, Ann", "GivenName": "Ann", "FamilyName": "Abbott",
                "PrimaryEmailAddr": {"Address": "ann@example.com"},
                "PrimaryPhone": {"FreeFormNumber": "(555) 123-4567"}})
    baker = c({"DisplayName": "Bob Baker", "GivenName": "Bob", "FamilyName": "Baker"})
    inactive = c({"DisplayName": "Evans, Dana", "GivenName": "Dana", "FamilyName": "Evans"})
    inactive = qbo.update("Customer", {"Id": inactive["Id"], "SyncToken": inactive["SyncToken"],
                                       "Active": False}, request_id=f"seed-{next(_ids)}-deact")
    acme = c({"DisplayName": "Acme Long Term Care Insurance", "CompanyName": "Acme LTC Insurance"})
    other = c({"DisplayName": "Zimmer, Otto", "GivenName": "Otto", "FamilyName": "Zimmer"})
    vendor = create(qbo, "Vendor", {"DisplayName": "Smith, John"})
    employee = create(qbo, "Employee", {"DisplayName": "Jones, Mary", "GivenName": "Mary",
                                        "FamilyName": "Jones"})
    return SimpleNamespace(abbott=abbott, baker=baker, inactive=inactive, acme=acme, other=other,
                           vendor=vendor, employee=employee)


@pytest.fixture
def agency(db):
    """The agency's records: two offices, clients that drift from the books, two payers."""
    from models import Agency, Client, Office, Payer, PayerKind

    agency = Agency(name="Matching Care")
    north = Office(agency=agency, name="North Office", code="N")
    south = Office(agency=agency, name="South Office", code="S")

    def client(code, office, first, last, **kw):
        return Client(code=code, office=office, first_name=first, last_name=last, **kw)

    clients = SimpleNamespace(
        ann=client("N-001", north, "Ann", "Abbott", middle_name="Marie", email="ann@example.com",
                   phone="555-123-4567", address_line1="1 Elm St", city="Springfield", state="IL",
                   postal_code="62701"),
        robert=client("N-002", north, "Robert", "Baker"),
        cara=client("S-001", south, "Cara", "Cole", email="cara@example.com", phone="555 222 3333",
                    address_line1="9 Oak Ave", city="Shelbyville", state="IL", postal_code="62565"),
        john=client("S-002", south, "John", "Smith"),
        mary=client("N-003", north, "Mary", "Jones"),
        dana=client("N-004", north, "Dana", "Evans"),
        pat=client("S-003", south, "Pat", "Doe:Ray", suffix="Jr."),
        gone=client("N-009", north, "Gina", "Gone", active=False),
    )
    acme = Payer(name="Acme LTC Insurance", kind=PayerKind.LTC_INSURANCE)
    va = Payer(name="Veterans Affairs Springfield", kind=PayerKind.VA, email="va@example.gov")
    db.session.add_all([agency, acme, va, *vars(clients).values()])
    db.session.commit()
    return SimpleNamespace(north=north, south=south, acme=acme, va=va, **vars(clients))


@pytest.fixture
def realm():
    return REALM


@pytest.fixture
def users(make_user, agency):
    from models import Role

    return SimpleNamespace(owner=make_user(Role.OWNER), admin=make_user(Role.ADMIN),
                           agency_user=make_user(Role.AGENCY_USER, offices=[agency.north]))


@pytest.fixture
def connected(app, sandbox, users):
    """CareLedger connected to the sandbox company (tokens issued by the sandbox's OAuth half,
    stored encrypted exactly as after the OAuth dance)."""
    from qbo.oauth import TokenSet
    from services.qbo_connection import runtime as qbo_runtime
    from services.qbo_connection import get_connection
    from services.qbo_connection.connect import _activate

    base = sandbox.config["LIVE_URL"]
    app.config.update(QBO_ENVIRONMENT="local", QBO_API_BASE_URL=base, QBO_CLIENT_ID=CLIENT_ID,
                      QBO_CLIENT_SECRET=CLIENT_SECRET,
                      QBO_DISCOVERY_URL=base + "/.well-known/openid_configuration",
                      QBO_REDIRECT_URI="http://localhost/accounting/quickbooks/callback",
                      QBO_RETRY_MAX_ATTEMPTS=1, QBO_READ_TIMEOUT=5.0)
    qbo_runtime.reset(app)
    tokens = TokenSet.from_response(issue_tokens(sandbox, CLIENT_ID, REALM))
    _activate(get_connection(create=True), REALM, "Matching Test Care LLC", tokens, users.owner)
    yield
    qbo_runtime.reset(app)


@pytest.fixture
def login(auth, users):
    """login(role) signs that user in (signing out whoever was signed in)."""
    signed_in = []

    def _login(role):
        if signed_in:
            auth.logout()
        signed_in.append(role)
        return auth.login_as(getattr(users, role))
    return _login


def set_payer_mode(db, mode) -> None:
    """Save this realm's Sync Settings with the given payer mode (the default is PayerMode.CLIENT)."""
    from models.sync_settings import SyncSettings

    row = db.session.query(SyncSettings).filter_by(realm_id=REALM).one_or_none()
    if row is None:
        row = SyncSettings(realm_id=REALM)
        db.session.add(row)
    row.payer_mode = mode
    db.session.commit()


@pytest.fixture
def payer_subcustomer_mode(db, connected):
    """Sync Settings send third-party invoices to the payer, with the client as sub-customer."""
    from models.sync_settings import PayerMode

    set_payer_mode(db, PayerMode.PAYER_SUBCUSTOMER)
