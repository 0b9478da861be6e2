"""How fast is the local QBO sandbox itself? Prints request rate and p50/p95 latency.

Real HTTP on a socket: the sandbox runs as `python -m qbo_sandbox` (werkzeug's threaded server) in
its own process; a few client threads here; knobs off (no latency, no faults, throttle off); a
company with 10,000 customers (every tenth inactive).
Then the cost of one CDC poll (what CareLedger's poller pays, issue 15): a company with 10,000
invoices of which 1 % changed since the watermark (paid in full, paid in part, voided, deleted),
one `GET /cdc?entities=Invoice,Payment,Customer` over a socket: time, rows, bytes, reads metered.
Then one batch request of 30 invoice creates (what the exporter sends, issue 19): 34 of them, one
at a time over a socket, into a company with 1,000 customers: milliseconds per batch.
Usage: .venv/bin/python bench/sandbox_bench.py [--customers 10000] [--threads 4] [--seconds 8]
       [--cdc-invoices 10000] [--cdc-changed-pct 1] [--cdc-only] [--batch-only]
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qbo_sandbox import create_app, oauth  # noqa: E402
from qbo_sandbox.accounting.company import create_company  # noqa: E402
from qbo_sandbox.accounting.context import Ctx  # noqa: E402
from qbo_sandbox.accounting.ops import create  # noqa: E402
from qbo_sandbox.accounting.schema import SPECS  # noqa: E402

REALM = "9341453172471531"
CDC_REALM = "9341453172479999"


def _active_id(k: int) -> str:
    """Customer n has Id n+1 and every tenth (n % 10 == 0) is inactive."""
    n = 1 + k % 8999
    return str((n if n % 10 else n + 1) + 1)


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def seed(app, customers: int) -> dict:
    store = app.extensions["qbo_sandbox.store"]
    started = time.perf_counter()
    with store.transaction() as tx:
        company = create_company(tx, REALM, "Bench Home Care LLC")
        ctx = Ctx(tx, REALM, company)
        for n in range(customers):
            create(ctx, SPECS["Customer"], {"DisplayName": f"Client {n:05d}, Test",
                                            "GivenName": "Test", "FamilyName": f"Client {n:05d}",
                                            "Active": n % 10 != 0})
        item = tx.all_docs(REALM, "Item")[0]
    print(f"seeded {customers} customers in {time.perf_counter() - started:.1f} s")
    return {"item": item["Id"]}


def in_process_queries(app, customers):
    from qbo_sandbox.accounting.service import run_query
    store = app.extensions["qbo_sandbox.store"]
    cases = {
        "count(*)": "SELECT count(*) FROM Customer",
        "last page": f"SELECT * FROM Customer STARTPOSITION {max(1, customers - 200)} MAXRESULTS 100",
        "ORDER BY name DESC page": "SELECT * FROM Customer ORDER BY DisplayName DESC MAXRESULTS 100",
        "LIKE filter": "SELECT * FROM Customer WHERE DisplayName LIKE 'Client 0999%'",
        "name =": "SELECT * FROM Customer WHERE DisplayName = 'Client 04242, Test'",
        "nested prop (FamilyName)": "SELECT * FROM Customer WHERE FamilyName = 'Client 04242'",
        "1000-row page": "SELECT * FROM Customer MAXRESULTS 1000",
    }
    print("\nqueries over the store (in-process, median of 5):")
    for label, text in cases.items():
        times = []
        for _ in range(5):
            with store.transaction() as tx:
                company = tx.company(REALM)
                started = time.perf_counter()
                run_query(Ctx(tx, REALM, company), text)
                times.append(time.perf_counter() - started)
        print(f"  {label:28s} {statistics.median(times) * 1000:7.1f} ms")


def http_load(base, token, item_id, threads, seconds):
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    api = f"{base}/v3/company/{REALM}"
    lat: dict[str, list[float]] = {"query page": [], "read": [], "create invoice": []}
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(n):
        session = requests.Session()
        i = 0
        while time.perf_counter() < stop:
            i += 1
            kind = ("query page", "read", "create invoice")[i % 3]
            started = time.perf_counter()
            if kind == "query page":
                r = session.get(f"{api}/query", headers=headers, params={
                    "query": f"SELECT * FROM Customer STARTPOSITION {1 + (i * 37) % 9000} MAXRESULTS 50",
                    "minorversion": "75"})
            elif kind == "read":
                r = session.get(f"{api}/customer/{2 + (i * 131) % 9000}", headers=headers)
            else:
                r = session.post(f"{api}/invoice", headers=headers, json={
                    "CustomerRef": {"value": str(_active_id(n * 1000 + i))},
                    "Line": [{"Amount": 65.0, "DetailType": "SalesItemLineDetail",
                              "SalesItemLineDetail": {"ItemRef": {"value": item_id}, "Qty": 2, "UnitPrice": 32.5}}]})
            elapsed = time.perf_counter() - started
            if r.status_code != 200 and not (kind != "create invoice" and r.status_code == 400):
                print(f"{kind}: HTTP {r.status_code} {r.text[:200]}", file=sys.stderr)
                return
            with lock:
                lat[kind].append(elapsed)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    begun = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - begun
    everything = [x for v in lat.values() for x in v]
    print(f"\nHTTP, {threads} threads, {wall:.1f} s, knobs off: {len(everything) / wall:.0f} requests/s")
    for label, values in list(lat.items()) + [("all", everything)]:
        print(f"  {label:16s} n={len(values):5d}  p50 {pct(values, 50) * 1000:6.1f} ms  "
              f"p95 {pct(values, 95) * 1000:6.1f} ms")


BATCH_REALM = "9341453172478888"


def _exporter_invoice(customer: dict, item_id: str, n: int) -> dict:
    """An invoice as CareLedger's exporter maps it: two visit lines, its own number and memo."""
    def line(number, qty, price, day):
        return {"LineNum": number, "DetailType": "SalesItemLineDetail", "Amount": float(round(qty * price, 2)),
                "Description": f"10/{day:02d}/2026 · Personal care",
                "SalesItemLineDetail": {"ItemRef": {"value": item_id, "name": "Home care visit"}, "Qty": qty,
                                        "UnitPrice": price, "TaxCodeRef": {"value": "NON"},
                                        "ServiceDate": f"2026-10-{day:02d}"}}
    return {"CustomerRef": {"value": customer["Id"], "name": customer["DisplayName"]},
            "DocNumber": str(5001 + n), "TxnDate": "2026-10-15", "DueDate": "2026-11-14",
            "PrivateNote": f"CareLedger batch B-0001 · invoice {5001 + n}",
            "Line": [line(1, 3.5, 28.57, 2), line(2, float(2 + n % 3), 31.0, 3)]}


def batch_cost(batches: int = 34) -> None:
    """Median and slowest time of one batch request of 30 invoice creates, sent one at a time."""
    from qbo_sandbox.__main__ import KeepAliveHandler
    from werkzeug.serving import make_server

    class Quiet(KeepAliveHandler):
        def log_request(self, *args):
            pass
    folder = tempfile.mkdtemp(prefix="qbo-batch-bench-")
    app = create_app({"SANDBOX_DATABASE": f"sqlite:///{folder}/batch.sqlite", "THROTTLE_ENABLED": False})
    store = app.extensions["qbo_sandbox.store"]
    with store.transaction() as tx:
        ctx = Ctx(tx, BATCH_REALM, create_company(tx, BATCH_REALM, "Batch Bench Home Care LLC"))
        item = create(ctx, SPECS["Item"], {"Name": "Home care visit", "Type": "Service",
                                           "IncomeAccountRef": {"value": tx.all_docs(BATCH_REALM, "Account")[1]["Id"]}})
        customers = [create(ctx, SPECS["Customer"], {"DisplayName": f"Client {n:04d}"}) for n in range(batches * 30)]
    oauth.register_client(app, "bench", "bench-secret", None)
    token = oauth.issue_tokens_for_tests(app, "bench", BATCH_REALM)["access_token"]
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/v3/company/{BATCH_REALM}/batch"
    session = requests.Session()
    times = []
    try:
        for b in range(batches):
            items = [{"bId": str(n), "operation": "create",
                      "Invoice": _exporter_invoice(customers[n], item["Id"], n)} for n in range(b * 30, b * 30 + 30)]
            started = time.perf_counter()
            answer = session.post(url, params={"minorversion": "75", "requestid": f"bench-{b}"},
                                  json={"BatchItemRequest": items},
                                  headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
            times.append(time.perf_counter() - started)
            answer.raise_for_status()
            assert all("Invoice" in r for r in answer.json()["BatchItemResponse"]), answer.text[:300]
    finally:
        server.shutdown()
        thread.join(5)
    print(f"one batch of 30 invoice creates (HTTP, {batches} batches one at a time, {batches * 30} customers): "
          f"median {statistics.median(times) * 1000:.1f} ms, slowest {max(times) * 1000:.1f} ms, "
          f"{batches} batches {sum(times):.2f} s")


def seed_invoices(app, invoices: int, changed_pct: float) -> int:
    """`invoices` invoices two days old over 200 customers, then `changed_pct` % of them changed
    now: a quarter paid in full, a quarter in part, a quarter voided, a quarter deleted."""
    from datetime import timedelta

    from qbo_sandbox import clock
    from qbo_sandbox.accounting import bookkeeping
    store = app.extensions["qbo_sandbox.store"]
    started = time.perf_counter()
    clock.set_shift(-timedelta(days=2))
    with store.transaction() as tx:
        company = create_company(tx, CDC_REALM, "CDC Bench Home Care LLC")
        ctx = Ctx(tx, CDC_REALM, company)
        item = tx.all_docs(CDC_REALM, "Item")[0]["Id"]
        people = [create(ctx, SPECS["Customer"], {"DisplayName": f"Payer {n:03d}"})["Id"] for n in range(200)]
        ids = [create(ctx, SPECS["Invoice"], {
            "CustomerRef": {"value": people[n % 200]}, "Line": [{"Amount": 130.0, "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": 4, "UnitPrice": 32.5}}]})["Id"]
            for n in range(invoices)]
    clock.set_shift(timedelta(0))
    changed = max(1, int(invoices * changed_pct / 100))
    actions = (lambda c, i: bookkeeping.receive_payment(c, i, "130"),
               lambda c, i: bookkeeping.receive_payment(c, i, "50"),
               bookkeeping.void_invoice, bookkeeping.delete_invoice)
    with store.transaction() as tx:
        ctx = Ctx(tx, CDC_REALM, tx.company(CDC_REALM))
        for n, invoice_id in enumerate(ids[::max(1, len(ids) // changed)][:changed]):
            actions[n % 4](ctx, invoice_id)
    print(f"\nseeded {invoices} invoices, changed {changed}, in {time.perf_counter() - started:.1f} s")
    return changed


def cdc_poll_cost(invoices: int, changed_pct: float) -> None:
    from datetime import datetime, timedelta, timezone

    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args):
            pass
    folder = tempfile.mkdtemp(prefix="qbo-cdc-bench-")
    app = create_app({"SANDBOX_DATABASE": f"sqlite:///{folder}/cdc.sqlite", "THROTTLE_ENABLED": False})
    seed_invoices(app, invoices, changed_pct)
    oauth.register_client(app, "bench", "bench-secret", None)
    token = oauth.issue_tokens_for_tests(app, "bench", CDC_REALM)["access_token"]
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    since = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(timespec="seconds")
    url = f"http://127.0.0.1:{server.server_port}/v3/company/{CDC_REALM}/cdc"
    session = requests.Session()
    times, response = [], None
    try:
        for _ in range(5):
            started = time.perf_counter()
            response = session.get(url, params={"entities": "Invoice,Payment,Customer", "changedSince": since,
                                                "minorversion": "75"},
                                   headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
            times.append(time.perf_counter() - started)
            response.raise_for_status()
    finally:
        server.shutdown()
        thread.join(5)
    rows = {k: len(v) for r in response.json()["CDCResponse"][0]["QueryResponse"] for k, v in r.items()
            if isinstance(v, list)}
    reads = app.extensions["qbo_sandbox.usage"].this_month()["realms"][CDC_REALM]["reads"]
    print(f"one CDC poll over {invoices} invoices, {changed_pct:g} % changed (HTTP, 5 polls): "
          f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms, "
          f"rows {sum(rows.values())} {rows}, {len(response.content) / 1024:.0f} KiB, "
          f"{reads // 5} metered read per poll")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--cdc-invoices", type=int, default=10000)
    parser.add_argument("--cdc-changed-pct", type=float, default=1.0)
    parser.add_argument("--cdc-only", action="store_true", help="only the CDC poll's cost")
    parser.add_argument("--batch-only", action="store_true", help="only the batch request's cost")
    args = parser.parse_args()
    batch_cost()
    if args.batch_only:
        return
    cdc_poll_cost(args.cdc_invoices, args.cdc_changed_pct)
    if args.cdc_only:
        return
    folder = tempfile.mkdtemp(prefix="qbo-bench-")
    db_file = os.path.join(folder, "bench.sqlite")
    app = create_app({"SANDBOX_DATABASE": f"sqlite:///{db_file}",
                      "THROTTLE_ENABLED": False})
    ids = seed(app, args.customers)
    in_process_queries(app, args.customers)
    oauth.register_client(app, "bench", "bench-secret", None)
    token = oauth.issue_tokens_for_tests(app, "bench", REALM)["access_token"]
    app.extensions["qbo_sandbox.engine"].dispose()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen(
        [sys.executable, "-m", "qbo_sandbox", "--db", db_file, "--empty", "--realm-id", REALM,
         "--no-throttle", "--port", str(port)], cwd=root, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/.well-known/openid_configuration", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        http_load(base, token, ids["item"], args.threads, args.seconds)
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
