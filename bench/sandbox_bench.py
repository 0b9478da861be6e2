"""How fast is the local QBO sandbox itself? Prints request rate and p50/p95 latency.

Real HTTP on a socket: the sandbox runs as `python -m qbo_sandbox` (werkzeug's threaded server) in
its own process; a few client threads here; knobs off (no latency, no faults, throttle off); a
company with 10,000 customers (every tenth inactive).
Usage: .venv/bin/python bench/sandbox_bench.py [--customers 10000] [--threads 4] [--seconds 8]
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
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
