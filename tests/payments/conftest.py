"""Two-way sync tests: the export tests' app and sandbox (a live socket, real OAuth tokens), an
exported batch, and the bookkeeper's changes made in the sandbox as in QuickBooks' screens."""
from __future__ import annotations

import pytest

from extensions import db as _db
from tests.export.conftest import (REALM, Books, books, make_export_app,  # noqa: F401
                                   run_jobs, sandbox_live, start_job)
from tests.fixtures.sandbox import bookkeep


@pytest.fixture
def export_app(make_export_app):  # noqa: F811
    # A generous read timeout: on a loaded machine a check's CDC answer may take seconds, and a
    # timed-out check is (rightly) a failed one, which these tests are not about.
    return make_export_app(QBO_READ_TIMEOUT=30.0)


@pytest.fixture
def exported(books):  # noqa: F811
    """The books' 12 invoices exported to QuickBooks."""
    start_job(books)
    run_jobs(books)
    return books


def qbo_id_of(books: Books, invoice_id: int) -> str:
    from models.export import InvoiceExport

    with books.app.app_context():
        return _db.session.scalar(_db.select(InvoiceExport.qbo_id).where(InvoiceExport.invoice_id == invoice_id))


def act(books: Books, action: str, *args):
    return bookkeep(books.sandbox, REALM, action, *args)


def poll(books: Books, **kwargs):
    from services.payments.poll import poll_realm

    with books.app.app_context():
        result = poll_realm(books.app, **kwargs)
        _db.session.remove()
        return result


def statuses(books: Books) -> dict:
    from services.payments.statuses import statuses_for

    with books.app.app_context():
        return statuses_for(REALM, books.invoice_ids)
