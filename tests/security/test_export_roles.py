"""Finding 2: export and Retry are manager actions. An Agency User of the batch's own office may
look at the export state but can neither start an export nor retry one, and sees no buttons."""
from __future__ import annotations

import re

from extensions import db
from models import InvoiceBatch, Role, User
from models.export import InvoiceExport
from tests.export.conftest import run_jobs


def _agency_user_client(books):
    with books.app.app_context():
        batch = db.session.get(InvoiceBatch, books.batch_id)
        user = User(email="au@example.test", name="Agnes", role=Role.AGENCY_USER)
        user.set_password("pw-agency_user")
        user.offices = [batch.office]
        db.session.add(user)
        db.session.commit()
    client = books.app.test_client()
    assert client.post("/login", data={"email": "au@example.test",
                                       "password": "pw-agency_user"}).status_code == 302
    return client


def test_agency_user_of_the_batch_office_cannot_start_an_export(books):
    client = _agency_user_client(books)
    response = client.post(f"/billing/batches/{books.batch_id}/export",
                           data={"invoice": [str(i) for i in books.invoice_ids]})
    assert response.status_code == 403
    htmx = client.post(f"/billing/batches/{books.batch_id}/export", headers={"HX-Request": "true"},
                       data={"invoice": [str(i) for i in books.invoice_ids]})
    assert htmx.status_code == 403
    with books.app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(InvoiceExport)) == 0
    assert books.qbo_invoices() == []


def test_agency_user_cannot_retry_and_sees_no_export_controls(books):
    owner = books.app.test_client()
    owner.post("/login", data={"email": "owner@example.test", "password": "pw-owner"})
    owner.post(f"/billing/batches/{books.batch_id}/export", data={"invoice": [str(books.invoice_ids[0])]})
    run_jobs(books)
    client = _agency_user_client(books)
    before = books.qbo_invoices()
    response = client.post(f"/billing/invoices/{books.invoice_ids[1]}/export/retry")
    assert response.status_code == 403
    assert books.qbo_invoices() == before
    page = client.get(f"/billing/batches/{books.batch_id}").get_data(as_text=True)
    assert "In QuickBooks" in page  # the state is still shown
    assert not re.search(r'name="invoice" value="\d+"', page)
    assert "Export to QuickBooks</button>" not in page
    assert "/export/retry" not in page
    owner_page = owner.get(f"/billing/batches/{books.batch_id}").get_data(as_text=True)
    assert "Export to QuickBooks</button>" in owner_page
