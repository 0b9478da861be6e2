"""Billing pages and services: batch lists with SQL totals, batch and invoice pages, finalizing,
the finalized-batch lock, and the invoice CSV import page."""
from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from models import BatchStatus, Invoice, InvoiceBatch, InvoiceLine, LineKind
from services.agency import batches as batch_service
from tests.agency.helpers import snapshot


def test_finalized_batches_counts_and_totals(data, users):
    rows = {r.batch.number: r for r in batch_service.finalized_batches(users.owner)}
    assert set(rows) == {"B-N-01", "B-S-01"}
    assert rows["B-N-01"].invoice_count == 2 and rows["B-N-01"].total == Decimal("426.00")
    assert rows["B-S-01"].invoice_count == 1 and rows["B-S-01"].total == Decimal("200.00")
    assert [r.batch.number for r in batch_service.finalized_batches(users.agency_user)] == ["B-N-01"]
    assert [r.batch.number for r in batch_service.finalized_batches(users.owner, office_id=data.south.id)] == ["B-S-01"]


def test_finalized_batches_date_filter_uses_period_overlap(data, users):
    owner = users.owner
    assert len(batch_service.finalized_batches(owner, date_from=date(2026, 1, 31))) == 2
    assert batch_service.finalized_batches(owner, date_from=date(2026, 2, 1)) == []
    assert len(batch_service.finalized_batches(owner, date_to=date(2026, 1, 1))) == 2
    assert batch_service.finalized_batches(owner, date_to=date(2025, 12, 31)) == []


def test_draft_batches_include_empty_ones(data, users):
    rows = {r.batch.number: r for r in batch_service.draft_batches(users.owner)}
    assert rows["B-N-03"].invoice_count == 0 and rows["B-N-03"].total == Decimal("0.00")
    assert rows["B-N-02"].total == Decimal("66.55")  # 2 × 30 + 10 × 0.655 = 6.55 (rounded per line)


def test_batch_list_is_one_query_however_many_batches(db, data, users):
    statements = []

    def count(*_args):
        statements.append(1)

    def run():
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            result = batch_service.finalized_batches(users.owner)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return result, len(statements)

    db.session.expire_all()
    _rows, few = run()
    for n in range(12):
        batch = InvoiceBatch(number=f"B-X-{n}", office=data.north, status=BatchStatus.FINALIZED,
                             period_start=date(2025, 1, 1) + timedelta(days=n), period_end=date(2025, 1, 2) + timedelta(days=n))
        db.session.add(batch)
        db.session.add(Invoice(number=f"X-{n}", batch=batch, client=data.ann, invoice_date=batch.period_end,
                               due_date=batch.period_end, period_start=batch.period_start,
                               period_end=batch.period_end,
                               lines=[InvoiceLine(kind=LineKind.SERVICE, quantity=Decimal(1), rate=Decimal(10),
                                                  service_type=data.care)]))
    db.session.commit()
    db.session.expire_all()
    rows, many = run()
    assert len(rows) == 14 and many == few
    assert all(r.batch.office.name for r in rows)  # office came with the query (no lazy loads later)


def test_batches_page_table_and_empty_state(client, login, data, db):
    login("owner")
    html = client.get("/billing/batches").get_data(as_text=True)
    row = re.search(r"B-N-01</a></td>(.*?)</tr>", html, re.S).group(1)
    assert "North Office" in row and "1 Jan 2026 – 31 Jan 2026" in row   # the one date format
    assert '<td data-label="Invoices" class="num">2</td>' in row and "$426.00" in row
    filtered = client.get("/billing/batches?from=2027-01-01").get_data(as_text=True)
    assert "No finalized batches match these filters" in filtered
    fragment = client.get("/billing/batches?from=2027-01-01", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "No finalized batches match" in fragment


def test_batch_page_lists_invoices_with_payer_or_private_pay(client, login, data):
    login("admin")
    html = client.get(f"/billing/batches/{data.north_final.id}").get_data(as_text=True)
    inv1 = re.search(r"INV-1001</a></td>(.*?)</tr>", html, re.S).group(1)
    assert "Abbott, Ann" in inv1 and "Acme LTC Insurance" in inv1
    assert "$300.00" in inv1 and "$24.00" in inv1 and "$324.00" in inv1
    inv2 = re.search(r"INV-1002</a></td>(.*?)</tr>", html, re.S).group(1)
    assert "Private pay" in inv2 and "$102.00" in inv2
    assert f'href="/billing/invoices/{data.inv1.id}"' in html
    assert "$426.00" in html and "read-only" in html and "Finalize batch" not in html


def test_invoice_page_shows_its_lines(client, login, data):
    login("agency_user")
    html = client.get(f"/billing/invoices/{data.inv1.id}").get_data(as_text=True)
    lines = re.search(r'<table class="table" id="lines-table">(.*?)</table>', html, re.S).group(1)
    assert "Personal care" in lines and "$30.00" in lines and "$300.00" in lines and "Tax" in lines
    assert "$324.00" in lines
    assert "Ann Marie Abbott" in html and "Acme LTC Insurance" in html


def test_empty_states(client, login, data):
    login("owner")
    html = client.get(f"/billing/batches/{data.north_empty.id}").get_data(as_text=True)
    assert "No invoices in this batch" in html and "nothing to finalize" in html


# -- Finalizing -----------------------------------------------------------------------------------

def _finalize(client, csrf, batch_id, confirm=True):
    token = csrf(f"/billing/batches/{batch_id}")
    return client.post(f"/billing/batches/{batch_id}/finalize",
                       data={"csrf_token": token, **({"confirm": "y"} if confirm else {})})


def test_finalize_needs_confirmation(client, login, csrf, db, data):
    login("owner")
    before = snapshot(db)
    response = _finalize(client, csrf, data.north_draft.id, confirm=False)
    assert response.status_code == 200
    assert "Tick the box to confirm" in response.get_data(as_text=True)
    assert snapshot(db) == before


def test_finalize_records_who_and_when_then_batch_is_read_only(client, login, csrf, db, data):
    admin = login("admin")
    page = client.get(f"/billing/batches/{data.north_draft.id}").get_data(as_text=True)
    assert "Finalize batch" in page
    response = _finalize(client, csrf, data.north_draft.id)
    assert response.status_code == 303
    db.session.expire_all()
    batch = db.session.get(InvoiceBatch, data.north_draft.id)
    assert batch.status == BatchStatus.FINALIZED and batch.finalized_by_id == admin.id
    assert batch.finalized_at is not None
    finalized_at = batch.finalized_at
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is finalized" in html and f"by {admin.name}" in html and "Finalize batch" not in html
    assert "B-N-02" in client.get("/billing/batches").get_data(as_text=True)

    # Finalizing again is refused and changes nothing.
    before = snapshot(db)
    again = _finalize(client, csrf, batch.id)
    assert again.status_code == 303
    assert "already finalized" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert snapshot(db) == before
    assert db.session.get(InvoiceBatch, batch.id).finalized_at == finalized_at


def test_empty_batch_cannot_be_finalized(client, login, csrf, db, data):
    login("owner")
    response = _finalize(client, csrf, data.north_empty.id)
    assert "no invoices cannot be finalized" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert data.north_empty.status == BatchStatus.DRAFT


@pytest.mark.parametrize("change", ["line amount", "new line", "delete line", "new invoice", "batch number",
                                    "unfinalize", "delete batch", "move invoice in"])
def test_finalized_batch_refuses_every_change_at_the_session(db, data, change):
    final, draft = data.north_final, data.north_draft
    line = final.invoices[0].lines[0]
    if change == "line amount":
        line.amount = Decimal("1.00")
    elif change == "new line":
        final.invoices[0].lines.append(InvoiceLine(kind=LineKind.MILEAGE, quantity=Decimal(1), rate=Decimal(1)))
    elif change == "delete line":
        db.session.delete(line)
    elif change == "new invoice":
        db.session.add(Invoice(number="INV-NEW", batch=final, client=data.ann, invoice_date=final.period_end,
                               due_date=final.period_end, period_start=final.period_start,
                               period_end=final.period_end))
    elif change == "batch number":
        final.number = "B-RENAMED"
    elif change == "unfinalize":
        final.status = BatchStatus.DRAFT
    elif change == "delete batch":
        db.session.delete(final)
    elif change == "move invoice in":
        draft.invoices[0].batch_id = final.id
    with pytest.raises(batch_service.FinalizedBatchError):
        db.session.commit()
    db.session.rollback()


def test_draft_batches_stay_editable(db, data):
    line = data.north_draft.invoices[0].lines[0]
    line.description = "corrected"
    data.north_draft.invoices[0].lines.append(
        InvoiceLine(kind=LineKind.EXPENSE, quantity=Decimal(1), rate=Decimal("5.00")))
    db.session.commit()
    db.session.expire_all()
    assert len(data.north_draft.invoices[0].lines) == 3


def test_moving_an_invoice_out_of_a_finalized_batch_is_refused(db, data):
    data.north_final.invoices[0].batch_id = data.north_draft.id
    with pytest.raises(batch_service.FinalizedBatchError):
        db.session.commit()
    db.session.rollback()


# -- Invoice import page ----------------------------------------------------------------------------

HEADER = ("batch_number,office,period_start,period_end,invoice_number,client_code,payer,invoice_date,due_date,"
          "line_kind,service_type,service_date,caregiver,start_time,end_time,quantity,rate,amount,taxable,description\n")


def _line(batch="B-N-09", invoice="INV-9001", client_code="N-001", quantity="3", rate="30.00", amount="90.00"):
    return (f"{batch},North Office,2026-04-01,2026-04-30,{invoice},{client_code},,2026-05-01,2026-05-31,"
            f"service,Personal care,2026-04-03,Grace Liu,09:00,12:00,{quantity},{rate},{amount},no,Visit\n")


def _upload(client, csrf, text, finalize=False):
    token = csrf("/billing/import")
    data = {"csrf_token": token, "file": (io.BytesIO(text.encode()), "invoices.csv")}
    if finalize:
        data["finalize"] = "y"
    return client.post("/billing/import", data=data, content_type="multipart/form-data")


def test_invoice_import_creates_a_draft_batch(client, login, csrf, db, data):
    login("admin")
    response = _upload(client, csrf, HEADER + _line() + _line(invoice="INV-9002"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/billing/drafts"
    html = client.get("/billing/drafts").get_data(as_text=True)
    assert "Imported 2 invoices" in html and "B-N-09" in html and "$180.00" in html


def test_invoice_import_can_finalize_and_records_who(client, login, csrf, db, data):
    owner = login("owner")
    response = _upload(client, csrf, HEADER + _line(), finalize=True)
    assert response.headers["Location"] == "/billing/batches"
    batch = db.session.scalar(select(InvoiceBatch).where(InvoiceBatch.number == "B-N-09"))
    assert batch.is_finalized and batch.finalized_by_id == owner.id


def test_invoice_import_with_bad_rows_shows_lines_and_imports_nothing(client, login, csrf, db, data):
    login("owner")
    before = snapshot(db)
    response = _upload(client, csrf, HEADER + _line() + _line(invoice="INV-9002", client_code="NOPE")
                       + _line(invoice="INV-9003", quantity="abc"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    lines = set(re.findall(r'<tr class="row-error"><td class="num">(\d+)</td>', html))
    assert {"3", "4"} <= lines and "2" not in lines
    assert "Nothing was imported" in html
    assert snapshot(db) == before
