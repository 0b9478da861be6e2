"""The data CLI through Flask's runner: output, exit codes, and what was written."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from demo_data.logins import DEMO_LOGINS
from models import Client, Invoice, InvoiceBatch

EXAMPLES = Path(__file__).resolve().parents[2] / "demo_data" / "examples"


def _count(db, model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_seed_prints_logins_then_is_idempotent(runner, db):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "Seeded the demo agency" in first.output
    for login in DEMO_LOGINS.values():
        assert login["email"] in first.output and login["password"] in first.output
    invoices = _count(db, Invoice)
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0 and "nothing was seeded" in second.output
    assert _count(db, Invoice) == invoices


def test_demo_seed_reset_asks_first_and_wipes_when_confirmed(runner, db):
    runner.invoke(args=["demo", "seed"])
    db.session.add(Client(code="MINE", office_id=1, first_name="Kept", last_name="Unless Reset"))
    db.session.commit()
    refused = runner.invoke(args=["demo", "seed", "--reset"], input="n\n")
    assert refused.exit_code != 0 and _count(db, Client) == 121
    done = runner.invoke(args=["demo", "seed", "--reset", "--yes"])
    assert done.exit_code == 0 and "Seeded the demo agency" in done.output
    assert _count(db, Client) == 120


def test_demo_ensure_seeds_once(runner, db):
    assert "Seeded" in runner.invoke(args=["demo", "ensure"]).output
    again = runner.invoke(args=["demo", "ensure"])
    assert again.exit_code == 0 and "nothing was seeded" in again.output
    assert DEMO_LOGINS["owner"]["email"] in again.output  # make run shows the sign-ins every time


def test_clients_and_invoices_import_the_examples(runner, db, seeded):
    clients = runner.invoke(args=["clients", "import", str(EXAMPLES / "clients.csv")])
    assert clients.exit_code == 0, clients.output
    assert "3 created" in clients.output
    invoices = runner.invoke(args=["invoices", "import", "--finalize", str(EXAMPLES / "invoices.csv")])
    assert invoices.exit_code == 0, invoices.output
    assert "3 invoices (11 lines) into 2 finalized batches" in invoices.output
    batch = db.session.scalar(select(InvoiceBatch).where(InvoiceBatch.number == "B-2026-11-LAKE-02"))
    assert batch.is_finalized


def test_failed_import_prints_every_bad_row_and_exits_non_zero(runner, db, reference_data, tmp_path):
    bad = tmp_path / "clients.csv"
    bad.write_text("client_code,first_name,last_name,office\n"
                   "C9,Ann,,Main Office\n"
                   "C10,Bo,Ng,Main Office\n"
                   "C11,Cy,Ng,Atlantis\n", encoding="utf-8")
    result = runner.invoke(args=["clients", "import", str(bad)])
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert "line 2, column last_name: last_name is required." in result.output
    assert "line 4, column office: Unknown office 'Atlantis'." in result.output
    assert _count(db, Client) == 3


def test_failed_invoice_import_exits_non_zero(runner, db, reference_data, tmp_path):
    bad = tmp_path / "invoices.csv"
    bad.write_bytes(b"batch_number,office\nB-1,Main Office\n")
    result = runner.invoke(args=["invoices", "import", str(bad)])
    assert result.exit_code == 1
    assert "line 1, column period_start" in result.output
    assert _count(db, InvoiceBatch) == 0


def test_missing_file_is_a_usage_error(runner):
    result = runner.invoke(args=["clients", "import", "/no/such/file.csv"])
    assert result.exit_code == 2
