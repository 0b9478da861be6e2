"""SIGKILL `flask qbo undo` mid-run, start it again: every unpaid invoice of the run ends voided
exactly once (SyncToken + 1, one "voided" event each) and the paid one is untouched."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from extensions import db
from tests.corrections.conftest import REALM, exported, money, record_of
from tests.corrections.test_undo import export_job_id
from tests.export.conftest import knobs_of, seed_books
from tests.fixtures.sandbox import bookkeep

ROOT = Path(__file__).resolve().parents[2]


def _flask_undo(tmp_path, sandbox_url, job_id: int) -> subprocess.Popen:
    env = dict(os.environ, EXPORT_TEST_APP=json.dumps({
        "tmp": str(tmp_path), "sandbox_url": sandbox_url, "extra": {"QBO_EXPORT_LEASE_SECONDS": 3}}))
    flask = str(Path(sys.executable).with_name("flask"))
    return subprocess.Popen([flask, "--app", "tests.export.subprocess_app:make()", "qbo", "undo", "--job",
                             str(job_id), "--threads", "1", "--user", "owner@example.test", "--timeout", "120"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _voided(sandbox_app) -> int:
    with sandbox_app.extensions["qbo_sandbox.store"].transaction() as tx:
        return sum(1 for doc in tx.all_docs(REALM, "Invoice") if doc.get("PrivateNote") == "Voided")


def _by_invoice(books) -> dict[int, dict]:
    """Every invoice as QuickBooks has it, in one query (throttles off for the test's own look)."""
    docs = {doc["Id"]: doc for doc in books.qbo_invoices()}
    return {i: docs[record_of(books, i).qbo_id] for i in books.invoice_ids}


def test_killed_undo_restarted_voids_each_invoice_exactly_once(tmp_path, export_app, sandbox_live):
    from models.export import ExportEvent

    books = exported(seed_books(export_app, sandbox_live.app, sandbox_live.base_url, invoices=61))
    paid = books.invoice_ids[0]
    bookkeep(books.sandbox, REALM, "receive_payment", record_of(books, paid).qbo_id, "25")
    before = _by_invoice(books)
    knobs_of(books).update({"latency_ms": 400})
    job_id = export_job_id(books)

    first = _flask_undo(tmp_path, sandbox_live.base_url, job_id)
    deadline = time.monotonic() + 60
    while _voided(sandbox_live.app) < 30:
        assert first.poll() is None, first.stdout.read()
        assert time.monotonic() < deadline, "the first run never got going"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    first.stdout.close()
    assert 30 <= _voided(sandbox_live.app) < 60  # really mid-run

    second = _flask_undo(tmp_path, sandbox_live.base_url, job_id)
    output, _ = second.communicate(timeout=180)
    assert second.returncode == 0, output
    knobs_of(books).update({"latency_ms": 0})
    after = _by_invoice(books)
    assert after[paid] == before[paid]
    for invoice_id in books.invoice_ids[1:]:
        doc = after[invoice_id]
        assert money(doc["TotalAmt"]) == 0
        assert int(doc["SyncToken"]) == int(before[invoice_id]["SyncToken"]) + 1
    with export_app.app_context():
        voided = db.session.scalars(db.select(ExportEvent.invoice_id).where(ExportEvent.action == "voided")).all()
    assert sorted(voided) == sorted(books.invoice_ids[1:])
