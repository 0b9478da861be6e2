"""Benchmark: export 1,000 invoices to the local QBO sandbox over a real socket, with 250 ms of
latency per request and Intuit's throttles on, and compare with a plain sequential exporter.

    .venv/bin/python -m bench.export_bench [--invoices 1000] [--latency-ms 250] [--threads 6]
                                            [--sequential-limit N] [--fault-run]

Prints: wall time of the exporter; the lower bounds Intuit's limits and the latency allow; the
time of a one-request-per-invoice sequential exporter on the same data against a fresh sandbox
company; duplicates and missing invoices found by querying QuickBooks (must be 0). Not part of
the test suite.
"""
from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extensions import db  # noqa: E402
from services.export.pacing import lower_bound_seconds  # noqa: E402
from tests.export.conftest import REALM, app_config, connect, make_sandbox, seed_books  # noqa: E402


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_sandbox_process(db_file: Path, latency_ms: float, extra: list[str] = ()):
    """The sandbox in its own process (as QuickBooks would be: no shared interpreter or GIL),
    noting each API request's arrival in db_file's folder (bench/recording_sandbox.py)."""
    import socket
    import subprocess

    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.recording_sandbox", "--record", str(db_file.parent / "arrivals.log"),
         "--port", str(port), "--db", str(db_file), "--empty",
         "--realm-id", REALM, "--custom-txn-numbers", "--latency-ms", str(latency_ms), *extra],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the sandbox process did not start")
            time.sleep(0.1)

    def stop():
        process.terminate()
        process.wait(10)

    return f"http://127.0.0.1:{port}", stop


def _setup(workdir: Path, invoices: int, latency_ms: float, faults: bool = False, **extra):
    """Seed the sandbox's database file and the app's, then serve the sandbox from a process.
    With `faults`: the access token QuickBooks issued stops working a few seconds into the export
    while the app believes it good for an hour, and three batch requests are answered 401 besides."""
    from datetime import datetime, timedelta, timezone

    from app import create_app
    from models.qbo import QboConnection

    workdir.mkdir(parents=True, exist_ok=True)
    sandbox_app = make_sandbox(workdir)  # writes the company and OAuth client into the file
    flags = ["--fault", "error:status=401,operation=batch,times=3,skip=6"] if faults else []
    url, stop = _start_sandbox_process(workdir / "sandbox.sqlite", latency_ms, flags)
    app = create_app(app_config(workdir, url, QBO_READ_TIMEOUT=30.0,
                                QBO_EXPORT_BACKOFF_BASE=0.5, QBO_EXPORT_BACKOFF_CAP=30, **extra))
    with app.app_context():
        db.create_all()
    books = seed_books(app, sandbox_app, url, invoices=invoices)
    if faults:
        sandbox_app.extensions["qbo_sandbox.knobs"].access_token_lifetime = FAULT_TOKEN_SECONDS
    connect(app, sandbox_app)  # tokens live in the sandbox's database, read by the process
    if faults:
        with app.app_context():
            row = db.session.get(QboConnection, 1)
            row.access_expires_at = datetime.now(timezone.utc) + timedelta(hours=1)
            db.session.commit()
    return books, stop


FAULT_TOKEN_SECONDS = 3  # the fault run's access token dies this long after it is issued


def arrivals(workdir: Path) -> dict:
    """From the sandbox's arrival log: requests, the most in any one second, 401s and 429s."""
    rows = [line.split() for line in (workdir / "arrivals.log").read_text().splitlines() if line.strip()]
    stamps = sorted(float(row[0]) for row in rows)
    statuses = [row[1] for row in rows]
    most, first = 0, 0
    for last, at in enumerate(stamps):
        while at - stamps[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return {"requests": len(stamps), "most_in_a_second": most, "401s": statuses.count("401"),
            "429s": statuses.count("429")}


def _check(books) -> tuple[int, int, int]:
    """(in QBO, duplicated DocNumbers, missing invoices) by asking the sandbox's query API."""
    from models import Invoice

    found = books.qbo_invoices()
    counts = Counter(doc.get("DocNumber") for doc in found)
    with books.app.app_context():
        numbers = set(db.session.scalars(db.select(Invoice.number)))
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    missing = len(numbers - set(counts))
    return len(found), duplicates, missing


def run_engine(workdir: Path, invoices: int, latency_ms: float, threads: int, faults: bool = False) -> dict:
    from models import InvoiceBatch
    from models.export import ExportStatus, InvoiceExport
    from services import export
    from services.export.worker import ExportWorker

    books, stop = _setup(workdir, invoices, latency_ms, faults, QBO_EXPORT_THREADS=threads)
    try:
        app = books.app
        worker = ExportWorker(app, threads=threads)

        def done():
            return db.session.scalar(db.select(InvoiceExport.id).where(InvoiceExport.status.in_(
                [ExportStatus.QUEUED, ExportStatus.SENDING])).limit(1)) is None

        if faults:
            time.sleep(FAULT_TOKEN_SECONDS / 2)  # the token dies mid-export, not before it starts
        started = time.monotonic()
        with app.app_context():
            export.start_export(None, db.session.get(InvoiceBatch, books.batch_id), books.invoice_ids,
                                source="bench")
        worker.run_until(done, tick_seconds=0.05, timeout=900)
        elapsed = time.monotonic() - started
        stats = Counter()
        for engine in worker.engines:
            stats.update(engine.stats)
        pacer = worker.pacers.for_realm(REALM)
        seen = arrivals(workdir)  # before _check's own queries reach the sandbox
        in_qbo, duplicates, missing = _check(books)
        return {**seen, "seconds": elapsed, "in_qbo": in_qbo, "duplicates": duplicates, "missing": missing,
                "batches": stats["batches"], "lookups": stats["lookups"], "throttled": stats["throttled"],
                "transient": stats["transient"], "paced_wait": pacer.waited,
                "send_seconds": stats["send_seconds"], "prepare_seconds": stats["prepare_seconds"]}
    finally:
        stop()


def run_sequential(workdir: Path, invoices: int, latency_ms: float, limit: int | None) -> dict:
    """The plain exporter: one create per invoice, one after another (with a requestid and the
    client's default retries, which wait out a 429)."""
    from models import Invoice
    from qbo.client import QboClient
    from services.qbo_connection import runtime as qbo_runtime
    from services.qbo_connection import tokens as qbo_tokens
    from services.export.prepare import map_one


    books, stop = _setup(workdir, invoices, latency_ms)
    try:
        app = books.app
        with app.app_context():
            runtime = qbo_runtime.runtime(app)
            client = QboClient(runtime.http, base_url=runtime.settings.api_base_url, realm_id=REALM,
                               tokens=qbo_tokens.StoredTokens(app, realm_id=REALM), retry=runtime.retry)
            ids = books.invoice_ids[:limit] if limit else books.invoice_ids
            started = time.monotonic()
            for n, invoice_id in enumerate(ids):
                invoice = db.session.get(Invoice, invoice_id)
                client.create("Invoice", map_one(invoice, REALM).body, request_id=f"seq-{invoice_id}")
                if n % 100 == 99:
                    db.session.expire_all()
            elapsed = time.monotonic() - started
        measured = len(ids)
        in_qbo, duplicates, _ = _check(books)
        return {"seconds": elapsed * invoices / measured, "measured": measured, "measured_seconds": elapsed,
                "in_qbo": in_qbo, "duplicates": duplicates, "missing": measured - in_qbo}
    finally:
        stop()


def _quiet_logs() -> None:
    import logging

    for name in ("httpx2", "werkzeug", "services.qbo_connection.tokens", "qbo.client"):
        logging.getLogger(name).setLevel(logging.WARNING)


def main(argv=None) -> int:
    _quiet_logs()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=250.0)
    parser.add_argument("--threads", type=int, default=10)
    parser.add_argument("--sequential-limit", type=int, default=None,
                        help="time only this many sequential creates and extrapolate")
    parser.add_argument("--skip-sequential", action="store_true")
    parser.add_argument("--fault-run", action="store_true",
                        help="also export with the token expiring mid-run and injected 401s")
    parser.add_argument("--skip-capacity", action="store_true",
                        help="skip measuring the sandbox's own serial time per batch")
    args = parser.parse_args(argv)
    latency = args.latency_ms / 1000.0
    batches = math.ceil(args.invoices / 30)

    with tempfile.TemporaryDirectory(prefix="export-bench-") as tmp:
        tmp = Path(tmp)
        print(f"Exporting {args.invoices} invoices ({batches} batch requests of ≤30) to the local "
              f"sandbox over a socket; latency {args.latency_ms:.0f} ms per request; throttles on "
              f"(10/s, 500/min, 40 batch/min per realm and app).")
        engine = run_engine(tmp / "engine", args.invoices, args.latency_ms, args.threads)
        smooth = lower_bound_seconds(args.invoices, latency, smooth=True)
        window = lower_bound_seconds(args.invoices, latency, smooth=False)
        print(f"\nExporter ({args.threads} threads, batch endpoint, paced):")
        print(f"  wall time               {engine['seconds']:8.1f} s")
        print(f"  batch requests          {engine['batches']:8d}   look-ups {engine['lookups']}, "
              f"429s {engine['throttled']}, transient errors {engine['transient']}")
        print(f"  in QuickBooks           {engine['in_qbo']:8d}   duplicates {engine['duplicates']}, "
              f"missing {engine['missing']}")
        print(f"  at the sandbox          {engine['requests']:8d} requests, at most {engine['most_in_a_second']} "
              f"in any second, {engine['429s']} × 429")
        print(f"  time in batch calls     {engine['send_seconds']:8.1f} s (sum over threads), mapping "
              f"{engine['prepare_seconds']:.1f} s, pacing waits {engine['paced_wait']:.1f} s")
        print("\nLower bounds from Intuit's limits and the latency:")
        print(f"  issue's figure: {batches} batches spread evenly at 40/min + latency "
              f"= {smooth:6.1f} s  → exporter at {engine['seconds'] / smooth:4.2f}×")
        print(f"  sliding 60-s window (what the limits literally allow; {batches} ≤ 40 fit in one "
              f"window, so 10/s binds) = {window:6.1f} s  → exporter at {engine['seconds'] / window:4.2f}×")
        if args.fault_run:
            fault = run_engine(tmp / "fault", args.invoices, args.latency_ms, args.threads, faults=True)
            print(f"\nFault run: the access token dies {FAULT_TOKEN_SECONDS} s after it is issued (the app "
                  "believes it good for an hour) and three batch requests are answered 401 besides:")
            print(f"  wall time               {fault['seconds']:8.1f} s  → {fault['seconds'] / engine['seconds']:4.2f}× "
                  "the quiet run")
            print(f"  at the sandbox          {fault['requests']:8d} requests, at most {fault['most_in_a_second']} "
                  f"in any second, {fault['401s']} × 401, {fault['429s']} × 429 (exporter saw "
                  f"{fault['throttled']})")
            print(f"  in QuickBooks           {fault['in_qbo']:8d}   duplicates {fault['duplicates']}, "
                  f"missing {fault['missing']}")
            ok_fault = (fault["most_in_a_second"] <= 10 and fault["429s"] == 0 and fault["duplicates"] == 0
                        and fault["missing"] == 0)
            print("  fault run:", "OK" if ok_fault else "FAILED")
        if not args.skip_capacity:
            # The sandbox executes one request at a time (one store lock per app), so its own
            # processing time is a floor no client can beat: measure it serially, no latency.
            probe = run_engine(tmp / "capacity", args.invoices, 0.0, 1)
            per_batch = probe["send_seconds"] / max(probe["batches"], 1)
            floor = batches * per_batch + latency
            print(f"  this sandbox's serial processing: {per_batch * 1000:.0f} ms per batch of 30 → "
                  f"{batches} batches + latency = {floor:6.1f} s  → exporter at "
                  f"{engine['seconds'] / floor:4.2f}×")
        if not args.skip_sequential:
            seq = run_sequential(tmp / "sequential", args.invoices, args.latency_ms, args.sequential_limit)
            label = ("" if seq["measured"] == args.invoices
                     else f" (measured {seq['measured']} in {seq['measured_seconds']:.1f} s, extrapolated)")
            print("\nPlain sequential exporter (one create per invoice), fresh sandbox company:")
            print(f"  wall time               {seq['seconds']:8.1f} s{label}")
            print(f"  in QuickBooks           {seq['in_qbo']:8d}   duplicates {seq['duplicates']}, "
                  f"missing {seq['missing']}")
            print(f"  speed-up of the exporter {seq['seconds'] / engine['seconds']:7.1f}×")
        ok = engine["duplicates"] == 0 and engine["missing"] == 0
        print("\nRESULT:", "OK (no duplicates, none missing)" if ok else "FAILED")
        return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
