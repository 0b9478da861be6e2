"""Issue 13, read budget: CareLedger counts its own CorePlus reads (and free writes) per company
and month, exactly as Intuit's meter (the sandbox's) counts them, in one row every process adds
to; when QuickBooks says the month's reads are used up, reads stop being retried, the
Installation tab says so, and exporting (writes) goes on."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from extensions import db
from models.export import ExportStatus
from models.qbo_platform import QboReadUsage
from qbo.errors import ReadAllowanceExhausted
from services.qbo_connection import connected_client
from services.qbo_connection.read_budget import budget_for, month_key
from tests.export.conftest import REALM, records_by_invoice, run_jobs, seed_books, start_job
from tests.fixtures.sandbox import set_coreplus_cap, usage_of
from tests.read_budget.conftest import signed_in


def _counted(app) -> tuple[int, int]:
    with app.app_context():
        budget = budget_for(REALM)
        return budget.reads, budget.writes


def test_every_kind_of_call_is_counted_as_the_sandbox_meters_it(books):
    before = usage_of(books.sandbox, REALM)
    with books.app.app_context():
        client = connected_client()
        customer = client.query("select * from Customer maxresults 1")["Customer"][0]
        client.read("Customer", customer["Id"])
        client.company_info()
        client.preferences()
        client.query_all("Item")
        item = client.create("Item", {"Name": "Respite", "Type": "Service", "IncomeAccountRef": {
            "value": client.query("select * from Account where Name = 'Services'")["Account"][0]["Id"]}},
            request_id="item-respite")
        client.batch([{"bId": "q", "Query": "select * from Term"},
                      {"bId": "c", "operation": "create",
                       "Customer": {"DisplayName": "New Client", "GivenName": "New"}}], request_id="b-1")
    after = usage_of(books.sandbox, REALM)
    assert item["Name"] == "Respite"
    assert _counted(books.app) == (after["reads"] - before["reads"], after["writes"] - before["writes"])
    assert _counted(books.app) == (7, 2)


def test_processes_add_to_one_row_atomically(books):
    """Eight threads (each its own connection, as separate processes would be) count 25 reads each."""
    from services.qbo_connection.read_budget import RealmMeter

    meter = RealmMeter(books.app, REALM)
    threads = [threading.Thread(target=lambda: [meter.counted(1, 0) for _ in range(25)]) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _counted(books.app) == (200, 0)


def test_each_month_has_its_own_count(books):
    from services.qbo_connection.read_budget import add

    december = datetime(2026, 12, 3, tzinfo=timezone.utc)
    january = datetime(2027, 1, 2, tzinfo=timezone.utc)
    with books.app.app_context():
        add(REALM, 5, 1, now=december)
        add(REALM, 2, 0, now=january)
        rows = {r.month: (r.reads, r.writes) for r in db.session.scalars(db.select(QboReadUsage))}
    assert rows == {month_key(december): (5, 1), month_key(january): (2, 0)}


def test_installation_tab_shows_the_budget_and_warns_at_80_percent(make_export_app, sandbox_live):
    app = make_export_app(QBO_READ_ALLOWANCE=10)
    books = seed_books(app, sandbox_live.app, sandbox_live.base_url)
    page = signed_in(app)
    with app.app_context():
        client = connected_client()
        for _ in range(7):
            client.company_info()
    shown = page.get("/accounting/quickbooks").get_data(as_text=True)
    assert "7 of 10" in shown and 'id="qbo-read-budget-warning"' not in shown
    with app.app_context():
        connected_client().company_info()
    shown = page.get("/accounting/quickbooks").get_data(as_text=True)
    assert "8 of 10" in shown and 'id="qbo-read-budget-warning"' in shown
    assert books.batch_id


def test_a_capped_company_keeps_exporting_and_reads_stop_without_retrying(books, counter):
    page = signed_in(books.app)
    used = usage_of(books.sandbox, REALM)["reads"]
    set_coreplus_cap(books.sandbox, used)  # this month's reads are used up from now on

    start_job(books)
    with books.app.app_context():
        run_jobs(books)
    assert all(r.status == ExportStatus.EXPORTED for r in records_by_invoice(books).values())

    counter.paths.clear()
    with books.app.app_context():
        client = connected_client()  # the retrying client: a throttle would be retried
        try:
            client.company_info()
            raise AssertionError("the read should have been refused")
        except ReadAllowanceExhausted:
            pass
        assert budget_for(REALM).exhausted
    assert counter.paths == [REALM]  # one attempt: no retry after "monthly limit reached"

    shown = page.get("/accounting/quickbooks").get_data(as_text=True)
    assert 'id="qbo-read-budget-exhausted"' in shown
    assert "Exporting invoices keeps working" in shown

    set_coreplus_cap(books.sandbox, None)
    books.assert_exactly_once()


def test_stable_lists_come_from_the_cache_until_refreshed(books):
    page = signed_in(books.app)
    assert page.get("/accounting/quickbooks/sync-settings").status_code == 200
    assert page.get("/accounting/quickbooks/client-matching").status_code == 200
    first = _counted(books.app)[0]
    assert first > 0  # the first visits read the lists (and the tax settings) once
    for _ in range(3):
        assert page.get("/accounting/quickbooks/sync-settings").status_code == 200
        assert page.get("/accounting/quickbooks/client-matching").status_code == 200
    assert _counted(books.app)[0] == first
