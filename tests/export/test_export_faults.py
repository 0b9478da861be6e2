"""Each way an export can go wrong, against the sandbox's fault knobs; every test ends by asking
QuickBooks (the sandbox's query API) whether each chosen invoice exists exactly once."""
from __future__ import annotations

import threading

from extensions import db
from models.export import ExportEvent, ExportStatus
from tests.fixtures.sandbox import create_entity, update_entity
from tests.export.conftest import (REALM, app_whose_token_expires_mid_export, knobs_of,
                                   records_by_invoice, run_jobs, seed_books, start_job,
                                   token_version, wait_for_token_expiry)


def _sandbox_write(books, etype, body, update=False):
    write = update_entity if update else create_entity
    return write(books.sandbox, REALM, etype, body)


def _mapped_body(books, invoice_id):
    from models import Invoice
    from services.export.prepare import map_one

    with books.app.app_context():
        return map_one(db.session.get(Invoice, invoice_id), REALM).body


def test_double_click_and_two_browsers_and_two_processes_create_each_invoice_once(books):
    # Four "requests" press Export at the same moment …
    barrier = threading.Barrier(4)
    errors = []

    def press():
        try:
            barrier.wait()
            start_job(books)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=press) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # … and two exporters (two app processes) race for the work.
    racers = [threading.Thread(target=run_jobs, args=(books,), kwargs={"threads": 3}) for _ in range(2)]
    for t in racers:
        t.start()
    for t in racers:
        t.join()
    books.assert_exactly_once()
    with books.app.app_context():
        queued = db.session.scalars(db.select(ExportEvent).where(ExportEvent.action == "queued")).all()
    assert len(queued) == 12  # one record (and one send) per invoice, whoever pressed first


def test_timeout_after_commit_is_looked_up_and_adopted(books):
    knobs_of(books).add_fault("commit_then_drop", times=2, operation="batch")
    start_job(books)
    run_jobs(books, threads=1)  # one batch for all 12 (claims by several senders may split them)
    books.assert_exactly_once()
    assert all(r.adopted for r in records_by_invoice(books).values())


def test_request_that_hangs_past_our_timeout_is_checked_then_resent(books):
    # The sandbox hangs longer than our 3 s read timeout and drops without executing.
    knobs_of(books).add_fault("timeout", times=1, operation="batch", delay=4.0)
    start_job(books)
    run_jobs(books, threads=1)  # one batch for all 12 (claims by several senders may split them)
    books.assert_exactly_once()
    records = records_by_invoice(books)
    assert all(r.attempts == 2 and not r.adopted for r in records.values())


def test_429_storm_is_honoured_and_nothing_is_duplicated(make_export_app, sandbox_live):
    app = make_export_app(QBO_EXPORT_THROTTLE_WAIT_MAX=0.3)
    books = seed_books(app, sandbox_live.app, sandbox_live.base_url, invoices=70)  # 3 batches
    knobs_of(books).add_fault("throttle", times=8)
    start_job(books)
    worker = run_jobs(books)
    books.assert_exactly_once()
    assert sum(e.stats["throttled"] for e in worker.engines) >= 1
    assert all(not r.adopted for r in records_by_invoice(books).values())  # 429 = never executed


def test_5xx_storm_recovers_with_backoff(books):
    knobs_of(books).add_fault("error", status=503, times=4)
    knobs_of(books).add_fault("error", status=500, times=2, operation="batch")
    start_job(books)
    worker = run_jobs(books)
    books.assert_exactly_once()
    assert sum(e.stats["transient"] for e in worker.engines) >= 2


def test_6140_for_our_own_earlier_push_is_adopted(books):
    # Invoice 5003 is already in QuickBooks from an earlier push whose answer we never stored.
    target = books.invoice_ids[2]
    earlier = _sandbox_write(books, "Invoice", _mapped_body(books, target))
    start_job(books)
    run_jobs(books)
    books.assert_exactly_once()
    record = records_by_invoice(books)[target]
    assert record.adopted and record.qbo_id == earlier["Id"] and record.status == ExportStatus.EXPORTED


def test_6140_for_someone_elses_invoice_is_a_plain_error(books):
    target = books.invoice_ids[4]
    other_customer = books.customer_of[books.invoice_ids[0]]
    body = _mapped_body(books, target)
    body["CustomerRef"] = {"value": other_customer}
    _sandbox_write(books, "Invoice", body)
    start_job(books)
    run_jobs(books)
    others = [i for i in books.invoice_ids if i != target]
    record = records_by_invoice(books)[target]
    assert record.status == ExportStatus.FAILED and record.error_code == "6140"
    assert "already used in QuickBooks by another invoice" in record.last_error
    found = books.assert_exactly_once(others, foreign=1)
    theirs = [d for d in found if d["DocNumber"] == "5005"]
    assert len(theirs) == 1 and theirs[0]["CustomerRef"]["value"] == other_customer  # untouched


def test_validation_fault_on_one_invoice_while_the_others_succeed_then_retry(books):
    from models import InvoiceBatch, User
    from services import export

    target = books.invoice_ids[6]
    customer_id = books.customer_of[target]
    with books.sandbox.extensions["qbo_sandbox.store"].transaction() as tx:
        doc = tx.get(REALM, "Customer", int(customer_id))
    _sandbox_write(books, "Customer", {"Id": customer_id, "SyncToken": doc["SyncToken"],
                                       "Active": False}, update=True)
    start_job(books)
    run_jobs(books)
    record = records_by_invoice(books)[target]
    assert record.status == ExportStatus.FAILED
    assert "inactive" in record.last_error.lower()
    books.assert_exactly_once([i for i in books.invoice_ids if i != target])
    # The customer is made active again in QuickBooks; Retry sends it (once).
    with books.sandbox.extensions["qbo_sandbox.store"].transaction() as tx:
        doc = tx.get(REALM, "Customer", int(customer_id))
    _sandbox_write(books, "Customer", {"Id": customer_id, "SyncToken": doc["SyncToken"],
                                       "Active": True}, update=True)
    with books.app.app_context():
        export.start_export(db.session.get(User, books.user_id),
                            db.session.get(InvoiceBatch, books.batch_id), [target])
    run_jobs(books)
    books.assert_exactly_once()


def test_token_expiry_mid_export_refreshes_and_continues(make_export_app, sandbox_live):
    app = app_whose_token_expires_mid_export(make_export_app, sandbox_live)
    books = seed_books(app, sandbox_live.app, sandbox_live.base_url, invoices=40)
    wait_for_token_expiry()
    start_job(books)
    run_jobs(books)
    books.assert_exactly_once()
    assert token_version(app) >= 2  # refreshed once, mid-export


def test_throttled_look_up_after_a_dropped_commit_still_adopts(make_export_app, sandbox_live):
    # The batch commits but its answer is lost; the look-up that must precede a resend is then
    # throttled. A 429 on the look-up proves nothing about the batch: look up again, adopt.
    app = make_export_app(QBO_EXPORT_THROTTLE_WAIT_MAX=0.3)
    books = seed_books(app, sandbox_live.app, sandbox_live.base_url)
    knobs_of(books).add_fault("commit_then_drop", times=1, operation="batch")
    knobs_of(books).add_fault("throttle", times=2, operation="query")
    start_job(books)
    run_jobs(books, threads=1)  # one batch for all 12 (claims by several senders may split them)
    books.assert_exactly_once()
    assert all(r.adopted for r in records_by_invoice(books).values())
