"""The batch page (and its progress partial) read a fixed number of SQL statements however many
invoices the batch holds: eligibility, export state and the QBO total check are loaded per batch,
not per invoice row."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import event, select

from extensions import db
from models import BatchStatus, Invoice, InvoiceBatch, InvoiceLine, LineKind, ServiceType

HX = {"HX-Request": "true"}


def _bigger_batch(books, copies: int = 3) -> int:
    """A second finalized batch with `copies` invoices per (linked) client of the first one."""
    with books.app.app_context():
        first = db.session.get(InvoiceBatch, books.batch_id)
        service = db.session.scalar(select(ServiceType))
        batch = InvoiceBatch(number="B-0002", office_id=first.office_id, status=BatchStatus.DRAFT,
                             period_start=first.period_start + timedelta(days=14),
                             period_end=first.period_end + timedelta(days=14))
        db.session.add(batch)
        invoices = db.session.scalars(select(Invoice).where(Invoice.batch_id == books.batch_id)).all()
        for copy in range(copies):
            for n, source in enumerate(invoices):
                db.session.add(Invoice(
                    batch=batch, number=f"9{copy}{n:03d}", client_id=source.client_id,
                    invoice_date=batch.period_end, due_date=batch.period_end + timedelta(days=30),
                    period_start=batch.period_start, period_end=batch.period_end,
                    lines=[InvoiceLine(position=1, kind=LineKind.SERVICE, service_type=service,
                                       description="Visit", service_date=batch.period_start,
                                       quantity=Decimal(1 + copy), rate=Decimal("30.00"))]))
        db.session.flush()
        batch.status = BatchStatus.FINALIZED
        db.session.commit()
        return batch.id


def _statements(app, fetch) -> tuple[int, str]:
    seen = []

    def count(*_args):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        body = fetch()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen), body


def test_batch_page_and_progress_query_count_does_not_grow_with_invoices(books):
    big = _bigger_batch(books)
    client = books.app.test_client()
    assert client.post("/login", data={"email": "owner@example.test", "password": "pw-owner"}).status_code == 302

    def page(batch_id):
        return lambda: client.get(f"/billing/batches/{batch_id}").get_data(as_text=True)

    def partial(batch_id):
        return lambda: client.get(f"/billing/batches/{batch_id}/export/progress",
                                  headers=HX).get_data(as_text=True)

    few, small_page = _statements(books.app, page(books.batch_id))
    many, big_page = _statements(books.app, page(big))
    # Every row was really mapped and checked (the QBO total shows), on both sizes.
    assert len(re.findall(r'name="invoice" value="\d+"', small_page)) == 12
    assert len(re.findall(r'name="invoice" value="\d+"', big_page)) == 36
    assert big_page.count("QB total $") >= 36
    assert many == few, (few, many)

    few, _ = _statements(books.app, partial(books.batch_id))
    many, _ = _statements(books.app, partial(big))
    assert many == few, (few, many)


def test_progress_poll_renders_states_and_counts_without_mapping(books, monkeypatch):
    from services.export import batch_cache, prepare, records

    batch_cache.clear()

    client = books.app.test_client()
    assert client.post("/login", data={"email": "owner@example.test", "password": "pw-owner"}).status_code == 302
    chosen = books.invoice_ids[:3]
    with books.app.app_context():
        from models import InvoiceBatch, User
        from services import export

        export.start_export(db.session.get(User, books.user_id), db.session.get(InvoiceBatch, books.batch_id), chosen)
        records.close_finished_jobs()

    def no_mapping(*_args, **_kwargs):
        raise AssertionError("the progress poll mapped an invoice")

    monkeypatch.setattr(prepare, "map_one", no_mapping)
    monkeypatch.setattr(prepare, "build_qbo_invoice", no_mapping)
    body = client.get(f"/billing/batches/{books.batch_id}/export/progress", headers=HX).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in body                      # still running: it polls on
    assert len(re.findall(r'id="qbo-status-\d+"', body)) == 3   # only the rows with an export record
    assert body.count("Queued") == 3
    assert "0 of 12 in QuickBooks" in body


def _signed_in(books):
    client = books.app.test_client()
    assert client.post("/login", data={"email": "owner@example.test", "password": "pw-owner"}).status_code == 302
    return client


def test_batch_page_draws_one_page_while_counts_and_select_all_cover_the_batch(books):
    from tests.export.conftest import run_jobs

    books.app.config["BATCH_PAGE_SIZE"] = 5
    client = _signed_in(books)
    first = client.get(f"/billing/batches/{books.batch_id}").get_data(as_text=True)
    assert len(re.findall(r'name="invoice" value="\d+"', first)) == 5      # one page drawn
    assert "Select all eligible (12)" in first and "1–5 of 12" in first   # the whole batch counted
    third = client.get(f"/billing/batches/{books.batch_id}?page=3").get_data(as_text=True)
    assert len(re.findall(r'name="invoice" value="\d+"', third)) == 2

    # "Select all eligible" asks for every eligible invoice, on every page, not only the drawn ones.
    answer = client.post(f"/billing/batches/{books.batch_id}/export",
                         data={"all_eligible": "1", "invoice": [str(books.invoice_ids[0])]}, headers=HX)
    assert "Exporting 12 invoice(s)" in answer.get_data(as_text=True)
    run_jobs(books)
    books.assert_exactly_once()
    after = client.get(f"/billing/batches/{books.batch_id}").get_data(as_text=True)
    assert "Select all eligible (0)" in after and "12 of 12 in QuickBooks" in after
    assert after.count('aria-label="Invoice ') == 5                        # each icon named after its invoice
    shown = client.get(f"/billing/batches/{books.batch_id}?show=ready").get_data(as_text=True)
    assert 'data-invoice="' not in shown                                  # nothing left to export


def test_progress_poll_sends_only_rows_changed_since_the_last_answer(books):
    from datetime import datetime, timedelta, timezone

    from tests.export.conftest import run_jobs, start_job

    client = _signed_in(books)
    url = f"/billing/batches/{books.batch_id}/export/progress"
    start_job(books, books.invoice_ids[:4])
    run_jobs(books)
    before = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()
    body = client.get(url, headers=HX, query_string={"since": before}).get_data(as_text=True)
    assert len(re.findall(r'id="qbo-status-\d+"', body)) == 4
    since = re.search(r'data-since="([^"]+)"', body).group(1)

    # Nothing changed since that answer (past the overlap kept for commit lag): nothing to swap.
    later = (datetime.fromisoformat(since) + export_status_overlap()).isoformat()
    quiet = client.get(url, headers=HX, query_string={"since": later})
    assert quiet.status_code == 204 and quiet.get_data() == b""
    # A record written since (here: one invoice queued again) is sent with the counts.
    start_job(books, books.invoice_ids[4:5])
    moved = client.get(url, headers=HX, query_string={"since": since}).get_data(as_text=True)
    assert str(books.invoice_ids[4]) in re.findall(r'id="qbo-status-(\d+)"', moved)
    assert "4 of 12 in QuickBooks" in moved and "Queued" in moved
    # Only the rows the page says it shows are sent.
    shown = ",".join(str(i) for i in books.invoice_ids[:2])
    some = client.get(url, headers=HX, query_string={"since": before, "shown": shown}).get_data(as_text=True)
    assert sorted(map(int, re.findall(r'id="qbo-status-(\d+)"', some))) == sorted(books.invoice_ids[:2])


def export_status_overlap():
    from datetime import timedelta

    from services.export.status import POLL_OVERLAP

    return POLL_OVERLAP + timedelta(seconds=1)


def test_kept_page_rows_follow_a_new_link_setting_or_export_state(books):
    """The page's rows are kept between views, yet a change of what they depend on shows at once:
    a client unlinked, the item mapping changed (the mapping check fails), an export record."""
    from models import CustomerLink, Invoice
    from models.sync_settings import ItemMapping
    from tests.export.conftest import run_jobs, start_job

    client = _signed_in(books)
    url = f"/billing/batches/{books.batch_id}"
    assert "Select all eligible (12)" in client.get(url).get_data(as_text=True)
    with books.app.app_context():
        first = db.session.get(Invoice, books.invoice_ids[0])
        db.session.delete(db.session.scalar(select(CustomerLink).where(CustomerLink.client_id == first.client_id)))
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Select all eligible (11)" in page and "Client not matched" in page

    start_job(books, books.invoice_ids[1:3])
    run_jobs(books)
    assert "Select all eligible (9)" in client.get(url).get_data(as_text=True)

    with books.app.app_context():  # no item for the service lines any more: nothing maps
        db.session.execute(ItemMapping.__table__.delete())
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Select all eligible (0)" in page and "QB total $" not in page
