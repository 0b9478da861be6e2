"""SIGKILL `flask qbo export-time` mid-run, run it again: every visit ends in QuickBooks once."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from extensions import db
from tests.export.conftest import REALM, knobs_of
from tests.time_export.conftest import seed_time_books, time_records

ROOT = Path(__file__).resolve().parents[2]


def _flask_export_time(tmp_path, sandbox_url, threads: int) -> subprocess.Popen:
    env = dict(os.environ, EXPORT_TEST_APP=json.dumps({
        "tmp": str(tmp_path), "sandbox_url": sandbox_url, "extra": {"QBO_EXPORT_LEASE_SECONDS": 3}}))
    flask = str(Path(sys.executable).with_name("flask"))
    return subprocess.Popen([flask, "--app", "tests.export.subprocess_app:make()", "qbo", "export-time",
                             "--batch", "B-0001", "--threads", str(threads), "--user",
                             "owner@example.test", "--timeout", "120"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _count_in_sandbox(sandbox_app) -> int:
    with sandbox_app.extensions["qbo_sandbox.store"].transaction() as tx:
        return len(tx.all_docs(REALM, "TimeActivity"))


def test_killed_time_exporter_restarted_exports_each_visit_exactly_once(tmp_path, make_export_app, sandbox_live):
    app = make_export_app()
    tb = seed_time_books(app, sandbox_live.app, sandbox_live.base_url, invoices=60)   # 120 visits
    knobs_of(tb.books).update({"latency_ms": 400})

    first = _flask_export_time(tmp_path, sandbox_live.base_url, threads=1)
    deadline = time.monotonic() + 60
    while _count_in_sandbox(sandbox_live.app) < 30:
        assert first.poll() is None, first.stdout.read()
        assert time.monotonic() < deadline, "the first run never got going"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    first.stdout.close()
    assert 30 <= _count_in_sandbox(sandbox_live.app) < 120   # really mid-run

    with app.app_context():
        from models.export import ExportStatus
        from models.time_export import TimeExport

        left = db.session.scalar(db.select(db.func.count()).select_from(TimeExport).where(
            TimeExport.status.in_([ExportStatus.QUEUED, ExportStatus.SENDING])))
    assert left > 0

    second = _flask_export_time(tmp_path, sandbox_live.base_url, threads=2)
    output, _ = second.communicate(timeout=180)
    assert second.returncode == 0, output
    assert "120 exported" in output, output
    tb.assert_exactly_once()
    assert all(r.status.value == "exported" for r in time_records(tb).values())
