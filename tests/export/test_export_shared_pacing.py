"""Several exporting processes against one QuickBooks company stay inside Intuit's limits together:
their pacing is shared through the database. The sandbox counts every 429 its throttle answers;
each test ends with a check through the QBO API that every invoice exists exactly once.

The throttle limits are tightened (per second) in both the sandbox and the app, so a few batch
requests from two processes are enough to exceed them if each process paced only itself."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from extensions import db
from services.export.pacing import Rule
from services.export.shared_pacing import SharedRealmPacer
from tests.export.conftest import REALM, knobs_of, records_by_invoice, run_jobs, seed_books, start_job

ROOT = Path(__file__).resolve().parents[2]


class SandboxGate:
    """Counts what the sandbox's throttle decided (the real throttle still decides)."""

    def __init__(self, sandbox_app):
        self.throttle = sandbox_app.extensions["qbo_sandbox.throttle"]
        self.allowed: list[float] = []
        self.refused = 0
        self._lock = threading.Lock()
        decide = self.throttle.allow

        def counting(*args, **kwargs):
            ok = decide(*args, **kwargs)
            with self._lock:
                if ok:
                    self.allowed.append(time.monotonic())
                else:
                    self.refused += 1
            return ok

        self.throttle.allow = counting


def _tight(sandbox_app, per_second: int) -> SandboxGate:
    sandbox_app.extensions["qbo_sandbox.knobs"].update(
        {"throttle_limits": {"per_realm_app_per_second": per_second}})
    return SandboxGate(sandbox_app)


# -- the shared log itself -------------------------------------------------------------------------

class FakeTime:
    def __init__(self):
        self.now = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
        self.slept: list[float] = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def test_two_processes_pacers_share_one_window_and_one_pause(export_app):
    fake = FakeTime()
    rules = dict(general=(Rule(3, 1.0),), batch=(Rule(4, 60.0),), margin=0.1,
                 clock=fake.clock, sleep=fake.sleep)
    first, second = SharedRealmPacer(REALM, **rules), SharedRealmPacer(REALM, **rules)  # 2 processes
    with export_app.app_context():
        for _ in range(3):
            first.acquire(is_batch=True)
        assert fake.slept == []
        second.acquire(is_batch=False)  # the window is full of the other process's starts
        assert 1.0 <= sum(fake.slept) <= 1.2
        fake.slept.clear()
        second.acquire(is_batch=True)   # 4th batch of the minute: per-second room, batch room
        first.acquire(is_batch=False)
        assert fake.slept == []
        fake.slept.clear()
        first.acquire(is_batch=True)    # 5th batch: waits for the first to leave the minute
        assert sum(fake.slept) >= 58.0
        fake.slept.clear()
        second.pause(30)                # a 429 seen by one process pauses the other too
        first.acquire()
        assert 30.0 <= sum(fake.slept) <= 30.1
        assert second.throttled == 1
        from models.export import ExportRequestStart

        oldest = db.session.scalar(db.select(db.func.min(ExportRequestStart.started_at)))
        assert oldest >= fake.now - timedelta(seconds=62)  # old starts are pruned as we go


# -- two exporters at once ---------------------------------------------------------------------------

def test_two_exporting_processes_provoke_no_429_and_export_each_invoice_once(make_export_app,
                                                                             sandbox_live):
    # A generous read timeout: on a loaded machine a 30-invoice batch can take over the suite's
    # usual 3 s, and the safe resend that follows (attempts 2) is not what this test is about.
    app = make_export_app(QBO_EXPORT_LIMIT_PER_SECOND=2, QBO_EXPORT_PACING_MARGIN=0.3,
                          QBO_READ_TIMEOUT=30.0)
    books = seed_books(app, sandbox_live.app, sandbox_live.base_url, invoices=150)  # 5 batches
    gate = _tight(sandbox_live.app, per_second=2)
    start_job(books)
    # Two exporters sharing nothing but the database (each its own threads and pacer objects),
    # as two gunicorn workers would.
    workers, errors = [], []

    def exporter():
        try:
            workers.append(run_jobs(books, threads=3, timeout=90))
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    racers = [threading.Thread(target=exporter) for _ in range(2)]
    for t in racers:
        t.start()
    for t in racers:
        t.join()
    assert not errors
    assert gate.refused == 0, f"{gate.refused} requests were answered 429"
    assert sum(e.stats["throttled"] for w in workers for e in w.engines) == 0
    books.assert_exactly_once()
    assert all(not r.adopted and r.attempts == 1 for r in records_by_invoice(books).values())
    # Both really sent (otherwise this would not test sharing at all).
    assert all(sum(e.stats["batches"] for e in w.engines) >= 1 for w in workers), \
        [sum(e.stats["batches"] for e in w.engines) for w in workers]


# -- a killed exporter, and the one that takes over -------------------------------------------------

def _flask_export(tmp_path, sandbox_url, extra) -> subprocess.Popen:
    env = dict(os.environ, EXPORT_TEST_APP=json.dumps({
        "tmp": str(tmp_path), "sandbox_url": sandbox_url, "extra": extra}))
    flask = str(Path(sys.executable).with_name("flask"))
    return subprocess.Popen([flask, "--app", "tests.export.subprocess_app:make()", "qbo", "export",
                             "--batch", "B-0001", "--threads", "2", "--timeout", "120"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def test_killed_exporters_recent_requests_still_count_and_its_work_is_taken_over(
        tmp_path, make_export_app, sandbox_live):
    extra = {"QBO_EXPORT_LIMIT_PER_SECOND": 1, "QBO_EXPORT_PACING_MARGIN": 0.3,
             "QBO_EXPORT_LEASE_SECONDS": 3}
    app = make_export_app(**extra)
    books = seed_books(app, sandbox_live.app, sandbox_live.base_url, invoices=120)  # 4 batches
    gate = _tight(sandbox_live.app, per_second=1)
    knobs_of(books).update({"latency_ms": 300})

    killed = _flask_export(tmp_path, sandbox_live.base_url, extra)
    deadline = time.monotonic() + 60
    while len(gate.allowed) < 2:  # it has sent twice, and has more to send
        assert killed.poll() is None, killed.stdout.read()
        assert time.monotonic() < deadline, "the first exporter never got going"
        time.sleep(0.01)
    killed.send_signal(signal.SIGKILL)  # mid-run, right after a request reached QuickBooks
    killed.wait(10)
    killed.stdout.close()
    sent_by_killed = len(gate.allowed)

    # Another process carries on at once. Its first request must wait for the killed one's
    # last to leave the 1-s window (a fresh per-process pacer would send straight away: 429).
    worker = run_jobs(books, threads=3, timeout=90)
    assert gate.refused == 0, f"{gate.refused} requests were answered 429"
    assert sum(e.stats["throttled"] for e in worker.engines) == 0
    assert len(gate.allowed) > sent_by_killed
    books.assert_exactly_once()
    with app.app_context():
        from models.export import ExportEvent

        exported = db.session.scalar(db.select(db.func.count()).select_from(ExportEvent).where(
            ExportEvent.action.in_(["exported", "adopted"])))
    assert exported == 120
