"""The cost of one QuickBooks change check (issue 15): 10,000 exported invoices, 1 % changed.

    .venv/bin/python bench/poll_bench.py [--invoices 10000] [--changed-pct 1]

The sandbox runs on a real socket (throttles off) with `--invoices` invoices made two days ago
over 200 customers, then `--changed-pct` % of them changed now (a quarter paid in full, a quarter
in part, a quarter voided, a quarter deleted). The app has an export record for every one of them.
Printed: for the steady-state check (the last one an hour ago) and for a company's first check
(30 days back, so every invoice comes back and CDC's 1,000-object cap applies): metered reads
(counted by the sandbox), wall time, rows applied; then the statuses of all 10,000 invoices and the
dashboard's receivables computed from the local copy (no QuickBooks call). Seeding takes a while.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from tests.export.conftest import REALM, app_config, connect, make_sandbox  # noqa: E402
from tests.fixtures.sandbox import knobs, serve  # noqa: E402


def seed_sandbox(sandbox, invoices: int, changed_pct: float) -> tuple[list[dict], int]:
    from qbo_sandbox import clock
    from qbo_sandbox.accounting import bookkeeping
    from qbo_sandbox.accounting.company import create
    from qbo_sandbox.accounting.context import Ctx

    store = sandbox.extensions["qbo_sandbox.store"]
    clock.set_shift(-timedelta(days=2))
    try:
        with store.transaction() as tx:
            ctx = Ctx(tx, REALM, tx.company(REALM))
            item = tx.all_docs(REALM, "Item")[0]["Id"]
            people = [create(ctx, "Customer", {"DisplayName": f"Client {n:03d}"})["Id"] for n in range(200)]
            docs = [create(ctx, "Invoice", {
                "DocNumber": str(100000 + n), "CustomerRef": {"value": people[n % 200]},
                "Line": [{"Amount": 130.0, "DetailType": "SalesItemLineDetail",
                          "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": 4, "UnitPrice": 32.5}}]})
                for n in range(invoices)]
    finally:
        clock.set_shift(timedelta(0))
    changed = max(1, int(invoices * changed_pct / 100))
    actions = (lambda c, i: bookkeeping.receive_payment(c, i, "130"),
               lambda c, i: bookkeeping.receive_payment(c, i, "50"),
               bookkeeping.void_invoice, bookkeeping.delete_invoice)
    with store.transaction() as tx:
        ctx = Ctx(tx, REALM, tx.company(REALM))
        for n, doc in enumerate(docs[::max(1, len(docs) // changed)][:changed]):
            actions[n % 4](ctx, doc["Id"])
    return docs, changed


def seed_app(app, docs: list[dict]) -> None:
    """An office, 200 clients, one finalized batch, an invoice and an export record per QBO invoice."""
    from models import BatchStatus, Invoice, InvoiceBatch
    from models.export import InvoiceExport
    from tests.fixtures.agency import ClientFactory, InvoiceBatchFactory, OfficeFactory

    with app.app_context():
        office = OfficeFactory(name="Springfield", code="SPR", agency__name="Sunrise Home Care")
        clients = [ClientFactory(code=f"C{n:04d}", office=office) for n in range(200)]
        batch = InvoiceBatchFactory(number="B-BENCH", office=office)
        db.session.flush()
        today = date.today()
        db.session.execute(Invoice.__table__.insert(), [dict(
            batch_id=batch.id, number=doc["DocNumber"], client_id=clients[n % 200].id, payer_id=None,
            invoice_date=today - timedelta(days=n % 120), due_date=today, period_start=today,
            period_end=today) for n, doc in enumerate(docs)])
        ids = dict(db.session.execute(db.select(Invoice.number, Invoice.id)).all())
        db.session.execute(InvoiceExport.__table__.insert(), [dict(
            realm_id=REALM, invoice_id=ids[doc["DocNumber"]], status="exported", request_id=f"r{n}",
            doc_number=doc["DocNumber"], qbo_customer_id=doc["CustomerRef"]["value"],
            expected_total=130, qbo_id=doc["Id"], sync_token="0", qbo_total=130, adopted=False,
            attempts=1) for n, doc in enumerate(docs)])
        batch.status = BatchStatus.FINALIZED
        db.session.commit()


def one_poll(app, sandbox, label: str) -> None:
    from services.payments.poll import poll_realm

    usage = sandbox.extensions["qbo_sandbox.usage"]
    before = usage.this_month()["realms"].get(REALM, {}).get("reads", 0)
    with app.app_context():
        started = time.perf_counter()
        result = poll_realm(app)
        wall = time.perf_counter() - started
        db.session.remove()
    reads = usage.this_month()["realms"].get(REALM, {}).get("reads", 0) - before
    applied = result.applied
    print(f"{label}: {'ok' if result.ok else result.reason} — {reads} metered read(s) (poll says {result.reads}), "
          f"{wall * 1000:.0f} ms, applied {applied.invoices} invoices / {applied.payments} payments / "
          f"{applied.customers} customers, ignored {applied.ignored}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=10000)
    parser.add_argument("--changed-pct", type=float, default=1.0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="careledger-poll-bench-"))
    sandbox = make_sandbox(folder)
    knobs(sandbox).throttle_enabled = False
    live, stop = serve(sandbox)
    try:
        started = time.perf_counter()
        docs, changed = seed_sandbox(sandbox, args.invoices, args.changed_pct)
        app = create_app(app_config(folder, live.base_url, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder / 'app.sqlite'}"))
        with app.app_context():
            db.create_all()
        connect(app, sandbox)
        seed_app(app, docs)
        print(f"seeded {args.invoices} invoices ({changed} changed) in {time.perf_counter() - started:.1f} s")
        from models._types import utcnow
        from services.payments import lease

        with app.app_context():  # steady state: the last check ran an hour ago
            lease.acquire(REALM, "bench", 60)
            lease.finish(REALM, "bench", watermark=utcnow() - timedelta(hours=1))
        one_poll(app, sandbox, "steady-state check (last one an hour ago)")
        one_poll(app, sandbox, "the same check again (overlap only)")
        with app.app_context():  # a company never checked: 30 days back
            from models.payments import QboPollState
            db.session.get(QboPollState, REALM).watermark = None
            db.session.commit()
        one_poll(app, sandbox, "first check of the company (30 days back)")
        with app.app_context():
            from models import User
            from models.export import InvoiceExport
            from services.payments.receivables import receivables_for
            from services.payments.statuses import statuses_for_records
            from tests.fixtures.agency import UserFactory

            owner = db.session.scalar(db.select(User)) or UserFactory()
            records = list(db.session.scalars(db.select(InvoiceExport)))
            started = time.perf_counter()
            found = statuses_for_records(REALM, records)
            statuses_ms = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            summary = receivables_for(owner, REALM)
            receivables_ms = (time.perf_counter() - started) * 1000
            states = {}
            for status in found.values():
                states[status.state.value] = states.get(status.state.value, 0) + 1
        print(f"statuses of {len(found)} invoices from the local copy: {statuses_ms:.0f} ms {states}")
        print(f"receivables ({len(summary.rows)} rows, {summary.total} open): {receivables_ms:.0f} ms")
    finally:
        stop()


if __name__ == "__main__":
    main()
