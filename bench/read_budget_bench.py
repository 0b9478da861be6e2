"""Benchmark: QuickBooks reads and writes per 1,000 invoices exported (issue 13's read budget).

    .venv/bin/python -m bench.read_budget_bench [--invoices 1000] [--page-views 10]

Exports the invoices to a sandbox process whose company has automated sales tax (so every invoice
needs the zero-tax override), with Intuit's throttles on, the tax settings not yet cached (the
cold case: the exporter reads them itself). Prints, per 1,000 invoices, the reads and writes as
CareLedger's own counter has them and as the sandbox's meter (Intuit's stand-in) counted them,
the HTTP requests, and the reads that repeated Sync Settings / Client Matching views add once their
lists are cached (goal: 0). Then checks every invoice in QuickBooks: TotalTax 0 and TotalAmt =
agency total − tax. Not part of the test suite.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx2  # noqa: E402

from bench.export_bench import _quiet_logs, _start_sandbox_process  # noqa: E402
from extensions import db  # noqa: E402
from tests.export.conftest import (CLIENT_ID, CLIENT_SECRET, REALM, app_config, connect,  # noqa: E402
                                   seed_books)
from tests.fixtures.sandbox import build_sandbox, default_preferences, update_entity  # noqa: E402


def _setup(workdir: Path, invoices: int):
    from app import create_app
    from services.qbo_tax import profile

    workdir.mkdir(parents=True, exist_ok=True)
    sandbox_app = build_sandbox(workdir, throttle=True, client=(CLIENT_ID, CLIENT_SECRET, None),
                                companies=[(REALM, "Sunrise Home Care LLC",
                                            default_preferences(custom_txn_numbers=True), "us-ast")])
    url, stop = _start_sandbox_process(workdir / "sandbox.sqlite", 0)
    app = create_app(app_config(workdir, url, QBO_READ_TIMEOUT=30.0, QBO_EXPORT_BACKOFF_BASE=0.5,
                                QBO_EXPORT_BACKOFF_CAP=30, QBO_EXPORT_THREADS=8))
    with app.app_context():
        db.create_all()
    connect(app, sandbox_app)
    books = seed_books(app, sandbox_app, url, invoices=invoices)
    for customer_id in set(books.customer_of.values()):  # New York customers: 8 % under AST
        update_entity(sandbox_app, REALM, "Customer", {"Id": customer_id, "SyncToken": "0", "BillAddr": {
            "City": "Albany", "CountrySubDivisionCode": "NY", "PostalCode": "12207", "Country": "USA"}})
    with app.app_context():
        profile.forget(REALM)  # cold: the exporter reads the company's tax settings itself
    return books, url, stop


def _meter(url: str) -> dict:
    answer = httpx2.get(f"{url}/_sandbox/usage", timeout=10).json()
    return dict(answer["realms"].get(REALM, {"reads": 0, "writes": 0}))


def _counted(app) -> tuple[int, int]:
    from services.qbo_connection.read_budget import budget_for

    with app.app_context():
        budget = budget_for(REALM)
        return budget.reads, budget.writes


class _Requests:
    """HTTP requests the app sends to the sandbox (counted on the app's side of the socket)."""

    def __init__(self):
        self.count = 0

    def hook(self, _request):
        self.count += 1


def _export(books, requests: _Requests) -> float:
    from models import InvoiceBatch
    from models.export import ExportStatus, InvoiceExport
    from services import export
    from services.export.worker import ExportWorker
    from services.qbo_connection import runtime

    with books.app.app_context():
        runtime.runtime().http.event_hooks["request"].append(requests.hook)
    worker = ExportWorker(books.app, threads=8)

    def done():
        return db.session.scalar(db.select(InvoiceExport.id).where(InvoiceExport.status.in_(
            [ExportStatus.QUEUED, ExportStatus.SENDING])).limit(1)) is None

    started = time.monotonic()
    with books.app.app_context():
        export.start_export(None, db.session.get(InvoiceBatch, books.batch_id), books.invoice_ids,
                            source="bench")
    worker.run_until(done, tick_seconds=0.05, timeout=900)
    stats = {}
    for engine in worker.engines:
        for key, value in engine.stats.items():
            stats[key] = stats.get(key, 0) + value
    return time.monotonic() - started, stats


def _page_views(books, views: int) -> int:
    """Reads the app counts for `views` more visits of each cached list page (after a first one)."""
    client = books.app.test_client()
    client.post("/login", data={"email": "owner@example.test", "password": "pw-owner"})
    for path in ("/accounting/quickbooks/sync-settings", "/accounting/quickbooks/client-matching"):
        client.get(path)
    before = _counted(books.app)[0]
    for _ in range(views):
        for path in ("/accounting/quickbooks/sync-settings", "/accounting/quickbooks/client-matching"):
            client.get(path)
    return _counted(books.app)[0] - before


def _tax_check(books) -> tuple[int, int]:
    """(invoices with tax or a wrong total, invoices in QuickBooks)."""
    from models import Invoice

    with books.app.app_context():
        expected = {i.number: (Decimal(i.total) - Decimal(i.tax)).quantize(Decimal("0.01"))
                    for i in db.session.scalars(db.select(Invoice).where(Invoice.id.in_(books.invoice_ids)))}
    found = books.qbo_invoices()
    wrong = sum(1 for doc in found if Decimal(str(doc.get("TxnTaxDetail", {}).get("TotalTax", 0))) != 0
                or Decimal(str(doc["TotalAmt"])) != expected.get(doc.get("DocNumber")))
    return wrong, len(found)


def main(argv=None) -> int:
    _quiet_logs()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--page-views", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="read-budget-bench-") as tmp:
        books, url, stop = _setup(Path(tmp), args.invoices)
        try:
            meter_before, counted_before = _meter(url), _counted(books.app)
            requests = _Requests()
            seconds, stats = _export(books, requests)
            sent = requests.count
            meter_after, counted_after = _meter(url), _counted(books.app)
            views = _page_views(books, args.page_views)
            wrong, in_qbo = _tax_check(books)
        finally:
            stop()
    per = 1000 / args.invoices
    app_reads, app_writes = (counted_after[0] - counted_before[0], counted_after[1] - counted_before[1])
    meter_reads = meter_after["reads"] - meter_before["reads"]
    meter_writes = meter_after["writes"] - meter_before["writes"]
    print(f"Exported {args.invoices} invoices to an automated-sales-tax company in {seconds:.1f} s "
          "(tax settings not cached at the start).")
    print(f"  per 1,000 invoices     app's counter: {app_reads * per:.0f} reads, {app_writes * per:.0f} "
          f"writes; sandbox's meter: {meter_reads * per:.0f} reads, {meter_writes * per:.0f} writes")
    print(f"  HTTP requests          {sent} ({sent - meter_reads} batch requests + {meter_reads} reads); "
          f"reads per invoice {meter_reads / args.invoices:.4f}")
    print(f"  exporter               {stats.get('batches', 0)} batch sends, {stats.get('lookups', 0)} look-ups, "
          f"{stats.get('throttled', 0)} × 429, {stats.get('transient', 0)} transient errors")
    print(f"  cached list pages      {args.page_views} more views of Sync Settings and Client Matching: "
          f"{views} reads")
    print(f"  in QuickBooks          {in_qbo} invoices, {wrong} with tax or a total ≠ agency total − tax")
    return 0 if wrong == 0 and in_qbo == args.invoices and app_reads == meter_reads else 1


if __name__ == "__main__":
    raise SystemExit(main())
