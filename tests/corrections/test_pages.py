"""The pages: preview (everyone; sends nothing), Correct / Update / Void (Owner or Admin, checked on
the server), Undo export, the Export Log's filter, and `flask qbo export --dry-run`."""
from __future__ import annotations

import re

from extensions import db
from models import InvoiceBatch, Role, User
from models.corrections import InvoiceRevision
from tests.corrections.conftest import REALM, money, qbo_invoice, record_of
from tests.export.conftest import run_jobs
from tests.fixtures.sandbox import doc_numbers


def _client(books, role=Role.OWNER):
    client = books.app.test_client()
    if role == Role.OWNER:
        assert client.post("/login", data={"email": "owner@example.test", "password": "pw-owner"}).status_code == 302
        return client
    with books.app.app_context():
        user = User(email="au@example.test", name="Agnes", role=Role.AGENCY_USER)
        user.set_password("pw-agency_user")
        user.offices = [db.session.get(InvoiceBatch, books.batch_id).office]
        db.session.add(user)
        db.session.commit()
    assert client.post("/login", data={"email": "au@example.test", "password": "pw-agency_user"}).status_code == 302
    return client


def test_preview_page_for_everyone_sends_nothing_then_export_from_it(books):
    agency = _client(books, Role.AGENCY_USER)
    page = agency.get(f"/billing/batches/{books.batch_id}/preview").get_data(as_text=True)
    assert "What QuickBooks would get" in page and 'id="preview-export"' not in page
    assert "DocNumber <strong>5001</strong>" in page and "Totals by customer" in page
    assert doc_numbers(books.sandbox, REALM) == []
    owner = _client(books)
    ticked = owner.get(f"/billing/batches/{books.batch_id}/preview?invoice={books.invoice_ids[0]}"
                       f"&invoice={books.invoice_ids[1]}").get_data(as_text=True)
    assert 'id="preview-count">2 invoice(s)' in ticked
    ids = re.findall(r'name="invoice" value="(\d+)"', ticked)
    shown = re.search(r'name="from_preview" value="([^"]+)"', ticked).group(1)
    assert owner.post(f"/billing/batches/{books.batch_id}/export", data={"invoice": ids, "from_preview": shown}).status_code == 303
    run_jobs(books)
    assert sorted(doc_numbers(books.sandbox, REALM)) == ["5001", "5002"]
    log = owner.get("/billing/exports?what=Export+after+preview").get_data(as_text=True)
    assert log.count('data-result="exported"') == 2 and "after a preview (QuickBooks total shown: $" in log
    assert 'data-result="exported"' not in owner.get("/billing/exports?what=Retry").get_data(as_text=True)


def test_correct_update_and_void_through_the_pages(books):
    owner = _client(books)
    owner.post(f"/billing/batches/{books.batch_id}/export", data={"invoice": [str(books.invoice_ids[0])]})
    run_jobs(books)
    invoice_id = books.invoice_ids[0]
    form = owner.get(f"/billing/invoices/{invoice_id}/correct").get_data(as_text=True)
    assert 'name="qty-0"' in form
    bad = owner.post(f"/billing/invoices/{invoice_id}/correct", data={
        "qty-0": "two", "rate-0": "28.57", "qty-1": "2", "rate-1": "31", "qty-2": "1", "rate-2": "4.10", "reason": "x"})
    assert bad.status_code == 400 and "is not a number" in bad.get_data(as_text=True)
    with books.app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(InvoiceRevision)) == 0
    saved = owner.post(f"/billing/invoices/{invoice_id}/correct", data={
        "qty-0": "3", "rate-0": "28.57", "description-0": "Visit", "qty-1": "2", "rate-1": "31", "description-1": "Visit",
        "qty-2": "1", "rate-2": "4.10", "description-2": "Tax", "reason": "Visit was shorter"})
    assert saved.status_code == 303
    page = owner.get(f"/billing/invoices/{invoice_id}").get_data(as_text=True)
    assert "Update in QuickBooks (revision 1)" in page and "Visit was shorter" in page
    assert owner.post(f"/billing/invoices/{invoice_id}/qbo/update").status_code == 303
    qbo = qbo_invoice(books, record_of(books, invoice_id).qbo_id)
    assert money(qbo["TotalAmt"]) == money("147.71")      # 3 × 28.57 + 2 × 31.00, tax excluded
    page = owner.get(f"/billing/invoices/{invoice_id}").get_data(as_text=True)
    assert 'data-status="done"' in page and "Update in QuickBooks (revision" not in page
    assert 'id="void-confirm"' in owner.get(f"/billing/invoices/{invoice_id}/qbo/void").get_data(as_text=True)
    assert owner.post(f"/billing/invoices/{invoice_id}/qbo/void").status_code == 303
    assert money(qbo_invoice(books, record_of(books, invoice_id).qbo_id)["TotalAmt"]) == 0
    log = owner.get("/billing/exports").get_data(as_text=True)
    for words in ("Corrected in CareLedger", "Updated in QuickBooks", "Voided in QuickBooks"):
        assert words in log


def test_agency_users_cannot_correct_update_void_or_undo(books):
    owner = _client(books)
    owner.post(f"/billing/batches/{books.batch_id}/export", data={"invoice": [str(books.invoice_ids[0])]})
    run_jobs(books)
    agency = _client(books, Role.AGENCY_USER)
    invoice_id = books.invoice_ids[0]
    before = qbo_invoice(books, record_of(books, invoice_id).qbo_id)
    with books.app.app_context():
        from models.export import ExportJob
        job_id = db.session.scalar(db.select(ExportJob.id))
    for method, url in (("GET", f"/billing/invoices/{invoice_id}/correct"), ("POST", f"/billing/invoices/{invoice_id}/correct"),
                        ("POST", f"/billing/invoices/{invoice_id}/qbo/update"), ("POST", f"/billing/invoices/{invoice_id}/qbo/void"),
                        ("POST", f"/billing/exports/runs/{job_id}/undo"), ("POST", "/billing/exports/undo-setting")):
        assert agency.open(url, method=method, data={"reason": "x", "undo_mode": "delete"}).status_code == 403, url
    assert qbo_invoice(books, record_of(books, invoice_id).qbo_id) == before
    page = agency.get(f"/billing/invoices/{invoice_id}").get_data(as_text=True)
    assert "Correct…" not in page and "Void in QuickBooks…" not in page


def test_undo_page_runs_the_undo(books):
    from models.export import ExportJob
    from tests.corrections.test_undo import run_undo

    owner = _client(books)
    owner.post(f"/billing/batches/{books.batch_id}/export", data={"invoice": [str(i) for i in books.invoice_ids[:3]]})
    run_jobs(books)
    with books.app.app_context():
        job_id = db.session.scalar(db.select(ExportJob.id))
    assert "Undo export…" in owner.get(f"/billing/batches/{books.batch_id}").get_data(as_text=True)
    confirm = owner.get(f"/billing/exports/runs/{job_id}/undo").get_data(as_text=True)
    assert "Void 3 invoice(s) in QuickBooks" in confirm
    assert owner.post(f"/billing/exports/runs/{job_id}/undo").status_code == 303
    with books.app.app_context():
        undo_id = db.session.scalar(db.select(ExportJob.id).where(ExportJob.kind == "undo"))
    run_undo(books, undo_id)
    assert all(money(d["TotalAmt"]) == 0 for d in books.qbo_invoices())
    progress = owner.get(f"/billing/exports/runs/{job_id}/undo/progress", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "3 removed from QuickBooks" in progress and "every 1s" not in progress


def test_cli_dry_run_prints_the_preview_and_sends_nothing(books):
    runner = books.app.test_cli_runner()
    result = runner.invoke(args=["qbo", "export", "--batch", "B-0001", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Invoice 5001 → 5001" in result.output and "QuickBooks total $162.00 (tax excluded)" in result.output
    assert "Would send 12 invoice(s)" in result.output
    assert doc_numbers(books.sandbox, REALM) == []
