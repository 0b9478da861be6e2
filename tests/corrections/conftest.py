"""Corrections tests: the export tests' app and live sandbox (tests/export/conftest.py), plus
helpers to export a batch, correct an invoice and read QuickBooks back through its API."""
from __future__ import annotations

from decimal import Decimal

import pytest

from extensions import db
from tests.export.conftest import (REALM, Books, books, export_app, make_export_app, run_jobs,  # noqa: F401
                                   sandbox_live, seed_books, start_job)


def exported(books: Books) -> Books:
    start_job(books)
    run_jobs(books)
    return books


def qbo_invoice(books: Books, qbo_id: str) -> dict | None:
    with books.api() as http:
        answer = http.get(f"/v3/company/{REALM}/query", params={
            "query": f"select * from Invoice where Id = '{qbo_id}'", "minorversion": "75"})
    assert answer.status_code == 200, answer.text
    rows = answer.json()["QueryResponse"].get("Invoice", [])
    return rows[0] if rows else None


def record_of(books: Books, invoice_id: int):
    from models.export import InvoiceExport

    with books.app.app_context():
        record = db.session.scalar(db.select(InvoiceExport).where(InvoiceExport.invoice_id == invoice_id))
        db.session.expunge(record)
        return record


def correct(books: Books, invoice_id: int, changes: dict[int, tuple[str, str]], reason="Visit was shorter",
            remove=()):
    """New revision: line index → (quantity, rate); other lines as they are."""
    from models import Invoice, User
    from services.corrections import revisions

    with books.app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        user = db.session.get(User, books.user_id)
        current = revisions.current_lines(invoice)
        edits = [revisions.LineEdit(n, *(changes.get(n) or (str(l.quantity), str(l.rate))),
                                    description=l.description, remove=n in remove)
                 for n, l in enumerate(current)]
        revision = revisions.correct(user, invoice, edits, reason, REALM)
        return revision.id, revisions.totals(revision.lines)


def update(books: Books, invoice_id: int):
    from models import Invoice, User
    from services.corrections import service

    with books.app.test_request_context():
        action = service.update_in_quickbooks(db.session.get(User, books.user_id), db.session.get(Invoice, invoice_id))
        db.session.expunge(action)
        return action


def void(books: Books, invoice_id: int):
    from models import Invoice, User
    from services.corrections import service

    with books.app.test_request_context():
        action = service.void_in_quickbooks(db.session.get(User, books.user_id), db.session.get(Invoice, invoice_id))
        db.session.expunge(action)
        return action


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture
def exported_books(books):  # noqa: F811
    return exported(books)
