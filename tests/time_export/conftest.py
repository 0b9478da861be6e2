"""Time export tests: the invoice export tests' books (tests/export/conftest.py: the app on its own
database, the sandbox on a real socket with throttles on, clients linked to customers, a finalized
batch of 12 invoices with 2 visits each), plus caregivers on every visit, matched to Employees
(W-2) and Vendors (1099) in the sandbox. QuickBooks is read back through python-quickbooks."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from intuitlib.client import AuthClient
from quickbooks import QuickBooks
from quickbooks.objects.timeactivity import TimeActivity

from extensions import db as _db
from tests.export.conftest import (CLIENT_ID, CLIENT_SECRET, REALM, Books, make_export_app,  # noqa: F401
                                   sandbox_live, seed_books)
from tests.fixtures.sandbox import create_entity, issue_tokens, knobs

CAREGIVERS = [("Maria", "Alvarez", "employee"), ("Kwame", "Mensah", "employee"),
              ("Ana", "Souza", "contractor"), ("Li", "Wei", "employee"), ("Omar", "Haddad", "contractor")]


@dataclass
class TimeBooks:
    books: Books
    visit_ids: list[int]
    worker_of: dict[int, tuple[str, str]] = field(default_factory=dict)   # visit → (NameOf, id)
    item_id: str = ""

    @property
    def app(self):
        return self.books.app

    def quickbooks(self) -> QuickBooks:
        """python-quickbooks against the live sandbox (its own OAuth client and tokens)."""
        tokens = issue_tokens(self.books.sandbox, CLIENT_ID, REALM)
        auth = AuthClient(CLIENT_ID, CLIENT_SECRET, "http://127.0.0.1/callback",
                          environment=f"{self.books.sandbox_url}/.well-known/openid_configuration")
        auth.access_token, auth.refresh_token = tokens["access_token"], tokens["refresh_token"]
        client = QuickBooks(auth_client=auth, refresh_token=tokens["refresh_token"], company_id=REALM,
                            minorversion=75)
        client.api_url_v3 = self.books.sandbox_url + "/v3"
        return client

    def time_activities(self) -> list[TimeActivity]:
        sandbox_knobs = knobs(self.books.sandbox)
        saved = (sandbox_knobs.throttle_enabled, list(sandbox_knobs.faults))
        sandbox_knobs.throttle_enabled = False
        sandbox_knobs.clear_faults()
        try:
            return TimeActivity.query("SELECT * FROM TimeActivity STARTPOSITION 1 MAXRESULTS 1000",
                                      qb=self.quickbooks())
        finally:
            sandbox_knobs.throttle_enabled = saved[0]
            sandbox_knobs.faults.extend(saved[1])

    def assert_exactly_once(self, visit_ids=None, billable_status="NotBillable") -> list[TimeActivity]:
        """Every chosen visit is in QuickBooks exactly once, for its employee or vendor, its
        client's customer, the item, its hours and the billable status; nothing else is there."""
        from models import InvoiceLine
        from models.export import ExportStatus
        from models.time_export import TimeExport
        from services.time_export.mapping import hours_and_minutes, visit_marker

        visit_ids = list(visit_ids or self.visit_ids)
        found = self.time_activities()
        with self.app.app_context():
            for line_id in visit_ids:
                line = _db.session.get(InvoiceLine, line_id)
                mine = [t for t in found if visit_marker(line_id) in (t.Description or "")]
                assert len(mine) == 1, f"visit {line_id}: {len(mine)} time activities in QuickBooks"
                activity = mine[0]
                entity, worker_id = self.worker_of[line_id]
                assert activity.NameOf == entity
                assert getattr(activity, f"{entity}Ref").value == worker_id
                assert activity.CustomerRef.value == self.books.customer_of[line.invoice_id]
                assert activity.ItemRef.value == self.item_id
                assert (activity.Hours, activity.Minutes) == hours_and_minutes(line.quantity)
                assert activity.TxnDate == line.service_date.isoformat()
                assert activity.BillableStatus == billable_status
                record = _db.session.scalar(_db.select(TimeExport).where(TimeExport.line_id == line_id))
                assert record.status == ExportStatus.EXPORTED, record.last_error
                assert record.qbo_id == str(activity.Id)
        assert len(found) == len(visit_ids), f"{len(found)} time activities, expected {len(visit_ids)}"
        return found


def seed_time_books(app, sandbox_app, sandbox_url: str, invoices: int = 12) -> TimeBooks:
    from models import Caregiver, InvoiceLine, LineKind, LinkSource, WorkerKind
    from models.sync_settings import ItemMapping
    from models.worker_matching import WorkerLink

    books = seed_books(app, sandbox_app, sandbox_url, invoices=invoices, with_tax=False)
    with app.app_context():
        office_id = _db.session.scalar(_db.select(InvoiceLine).limit(1)).invoice.client.office_id
        workers = []
        for n, (first, last, kind) in enumerate(CAREGIVERS):
            caregiver = Caregiver(code=f"CG-{n + 1:03d}", office_id=office_id, first_name=first,
                                  last_name=last, kind=WorkerKind(kind))
            _db.session.add(caregiver)
            _db.session.flush()
            entity = "Employee" if kind == "employee" else "Vendor"
            made = create_entity(sandbox_app, REALM, entity, {"DisplayName": f"{last}, {first}",
                                                              "GivenName": first, "FamilyName": last})
            _db.session.add(WorkerLink(realm_id=REALM, caregiver_id=caregiver.id, entity=entity,
                                       qbo_id=made["Id"], qbo_display_name=made["DisplayName"],
                                       source=LinkSource.MANUAL))
            workers.append((caregiver, entity, made["Id"]))
        visits = _db.session.scalars(_db.select(InvoiceLine).where(InvoiceLine.kind == LineKind.SERVICE)
                                     .order_by(InvoiceLine.id)).all()
        worker_of = {}
        for n, line in enumerate(visits):
            caregiver, entity, worker_id = workers[n % len(workers)]
            # The batch is finalized (its lines are guarded): the visits got their caregivers
            # when they were imported, which a plain UPDATE stands in for here.
            _db.session.execute(_db.update(InvoiceLine).where(InvoiceLine.id == line.id).values(
                caregiver_id=caregiver.id, caregiver_name=caregiver.name))
            worker_of[line.id] = (entity, worker_id)
        item_id = _db.session.scalar(_db.select(ItemMapping.qbo_item_id))
        _db.session.commit()
        return TimeBooks(books=books, visit_ids=[line.id for line in visits], worker_of=worker_of,
                         item_id=item_id)


@pytest.fixture
def time_app(make_export_app):  # noqa: F811
    return make_export_app()


@pytest.fixture
def time_books(time_app, sandbox_live):  # noqa: F811
    return seed_time_books(time_app, sandbox_live.app, sandbox_live.base_url)


def start_time_job(tb: TimeBooks, visit_ids=None) -> int:
    from models import InvoiceBatch, User
    from services import time_export

    with tb.app.app_context():
        batch = _db.session.get(InvoiceBatch, tb.books.batch_id)
        job = time_export.start_time_export(_db.session.get(User, tb.books.user_id), batch,
                                            list(visit_ids or tb.visit_ids))
        return job.id


def run_time_jobs(tb: TimeBooks, threads: int = 4, timeout: float = 60.0, **kwargs):
    from models.export import ExportStatus
    from models.time_export import TimeExport
    from services.time_export import ledger
    from services.time_export.worker import TimeWorker

    worker = TimeWorker(tb.app, threads=threads, **kwargs)

    def idle():
        return _db.session.scalar(_db.select(TimeExport.id).where(TimeExport.status.in_(
            [ExportStatus.QUEUED, ExportStatus.SENDING])).limit(1)) is None

    assert worker.run_until(idle, timeout=timeout, tick_seconds=0.1), "time export did not finish"
    with tb.app.app_context():
        ledger.close_finished_jobs()
        _db.session.commit()
    return worker


def time_records(tb: TimeBooks) -> dict:
    from models.time_export import TimeExport

    with tb.app.app_context():
        return {r.line_id: r for r in _db.session.scalars(_db.select(TimeExport)).all()}


@pytest.fixture(autouse=True)
def _plain_http_oauth(monkeypatch):
    # requests-oauthlib (under python-quickbooks) refuses http:// unless told it is local on purpose.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
