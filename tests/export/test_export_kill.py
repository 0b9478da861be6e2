"""SIGKILL the exporting process mid-run, start it again: every invoice ends up in QBO once."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from extensions import db
from tests.export.conftest import REALM, knobs_of, records_by_invoice, seed_books

ROOT = Path(__file__).resolve().parents[2]


def _flask_export(tmp_path, sandbox_url, threads: int) -> subprocess.Popen:
    env = dict(os.environ, EXPORT_TEST_APP=json.dumps({
        "tmp": str(tmp_path), "sandbox_url": sandbox_url,
        "extra": {"QBO_EXPORT_LEASE_SECONDS": 3}}))
    flask = str(Path(sys.executable).with_name("flask"))
    return subprocess.Popen([flask, "--app", "tests.export.subprocess_app:make()", "qbo", "export",
                             "--batch", "B-0001", "--threads", str(threads), "--user",
                             "owner@example.test", "--timeout", "120"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def _count_in_sandbox(sandbox_app) -> int:
    with sandbox_app.extensions["qbo_sandbox.store"].transaction() as tx:
        return len(tx.all_docs(REALM, "Invoice"))


def test_killed_exporter_restarted_exports_each_invoice_exactly_once(tmp_path, export_app, sandbox_live):
    books = seed_books(export_app, sandbox_live.app, sandbox_live.base_url, invoices=120)
    knobs_of(books).update({"latency_ms": 400})

    first = _flask_export(tmp_path, sandbox_live.base_url, threads=1)
    deadline = time.monotonic() + 60
    while _count_in_sandbox(sandbox_live.app) < 30:
        assert first.poll() is None, first.stdout.read()
        assert time.monotonic() < deadline, "the first run never got going"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    first.stdout.close()
    at_kill = _count_in_sandbox(sandbox_live.app)
    assert 30 <= at_kill < 120, at_kill  # really mid-run

    with export_app.app_context():
        from models.export import ExportStatus, InvoiceExport

        left = db.session.scalar(db.select(db.func.count()).select_from(InvoiceExport).where(
            InvoiceExport.status.in_([ExportStatus.QUEUED, ExportStatus.SENDING])))
    assert left > 0  # the killed run left work behind (queued, or sending under a dead lease)

    second = _flask_export(tmp_path, sandbox_live.base_url, threads=2)
    output, _ = second.communicate(timeout=180)
    assert second.returncode == 0, output
    assert "120 exported" in output, output
    books.assert_exactly_once()
    records = records_by_invoice(books)
    assert all(r.status == ExportStatus.EXPORTED for r in records.values())
