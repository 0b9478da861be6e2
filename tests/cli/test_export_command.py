"""`flask qbo export --batch N` on an installation whose server is not running: with the built-in
sandbox it exports in-process; with a QuickBooks that cannot be reached it stops at once saying why."""
from __future__ import annotations

import subprocess

import httpx2

from app import create_app
from extensions import db
from tests.cli.test_cli_process import FLASK, ROOT, cli_env
from tests.export.conftest import CLIENT_ID, CLIENT_SECRET, REALM, connect, make_sandbox, seed_books
from tests.fixtures.sandbox import add_company, default_preferences, issue_tokens

QBO_CLIENT = {"QBO_CLIENT_ID": CLIENT_ID, "QBO_CLIENT_SECRET": CLIENT_SECRET}


def _installation(tmp_path, **config):
    """The app as `flask` would build it for this instance folder, with books to export."""
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "BASE_URL": "http://127.0.0.1:9",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}", **QBO_CLIENT,
                      **config})
    with app.app_context():
        db.create_all()
    return app


def _qbo_invoice_numbers(sandbox) -> list[str]:
    token = issue_tokens(sandbox, CLIENT_ID, REALM)["access_token"]
    with httpx2.Client(transport=httpx2.WSGITransport(app=sandbox), base_url="http://sandbox",
                       headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}) as http:
        answer = http.get(f"/v3/company/{REALM}/query", params={"query": "select * from Invoice",
                                                                "minorversion": "75"})
    assert answer.status_code == 200, answer.text
    return sorted(doc["DocNumber"] for doc in answer.json()["QueryResponse"].get("Invoice", []))


def test_export_with_no_server_running_uses_the_embedded_sandbox(tmp_path):
    app = _installation(tmp_path)
    sandbox = app.extensions["qbo_sandbox_app"]
    add_company(sandbox, REALM, "Sunrise Home Care LLC", default_preferences(custom_txn_numbers=True))
    connect(app, sandbox)
    books = seed_books(app, sandbox, "http://127.0.0.1:9/qbo-sandbox", invoices=3, with_tax=False)

    result = subprocess.run([FLASK, "qbo", "export", "--batch", "B-0001"], cwd=ROOT,
                            env=cli_env(tmp_path, **QBO_CLIENT), capture_output=True, text=True,
                            timeout=150)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "Summary: 3 exported" in result.stdout
    assert _qbo_invoice_numbers(sandbox) == ["5001", "5002", "5003"]
    assert books.invoice_ids


def test_export_refuses_at_once_when_quickbooks_cannot_be_reached(tmp_path):
    # A standalone sandbox configured at an address where nothing listens.
    nowhere = "http://127.0.0.1:9/qbo"
    config = {"QBO_SANDBOX_ENABLED": False, "QBO_API_BASE_URL": nowhere,
              "QBO_DISCOVERY_URL": f"{nowhere}/.well-known/openid_configuration",
              "QBO_REDIRECT_URI": "http://127.0.0.1:9/accounting/quickbooks/callback"}
    app = _installation(tmp_path, **config)
    # Tokens come from a sandbox of our own; the child process cannot reach any sandbox.
    connect(app, make_sandbox(tmp_path, "issuer.sqlite"))
    seed_books(app, make_sandbox(tmp_path, "other.sqlite"), nowhere, invoices=2, with_tax=False)
    env = cli_env(tmp_path, **QBO_CLIENT, QBO_SANDBOX_ENABLED="0", QBO_API_BASE_URL=nowhere,
                  QBO_DISCOVERY_URL=config["QBO_DISCOVERY_URL"], QBO_REDIRECT_URI=config["QBO_REDIRECT_URI"])
    result = subprocess.run([FLASK, "qbo", "export", "--batch", "B-0001"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "QuickBooks could not be reached" in result.stderr and "Nothing was queued" in result.stderr
    with app.app_context():
        from models.export import InvoiceExport
        assert db.session.query(InvoiceExport).count() == 0
