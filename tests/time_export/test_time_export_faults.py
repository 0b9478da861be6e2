"""Each way a time export can go wrong (the invoice export's fault matrix), against the sandbox's
fault knobs; every test ends by reading QuickBooks through python-quickbooks: each chosen visit is
there exactly once, for the right employee or vendor, customer, item, hours and billable status."""
from __future__ import annotations

import threading

from extensions import db
from models.export import ExportStatus
from models.time_export import TimeExportEvent
from tests.export.conftest import knobs_of
from tests.time_export.conftest import run_time_jobs, start_time_job, time_records


def test_clean_export_sends_each_visit_once_in_batches(time_books):
    start_time_job(time_books)
    worker = run_time_jobs(time_books, threads=1)
    time_books.assert_exactly_once()
    assert sum(e.stats["batches"] for e in worker.engines) == 1   # 24 visits: one batch request
    assert all(not r.adopted and r.attempts == 1 for r in time_records(time_books).values())


def test_double_click_and_two_processes_create_each_visit_once(time_books):
    barrier = threading.Barrier(4)
    errors = []

    def press():
        try:
            barrier.wait()
            start_time_job(time_books)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    presses = [threading.Thread(target=press) for _ in range(4)]
    for t in presses:
        t.start()
    for t in presses:
        t.join()
    assert not errors
    racers = [threading.Thread(target=run_time_jobs, args=(time_books,), kwargs={"threads": 3})
              for _ in range(2)]
    for t in racers:
        t.start()
    for t in racers:
        t.join()
    time_books.assert_exactly_once()
    with time_books.app.app_context():
        queued = db.session.scalars(db.select(TimeExportEvent).where(TimeExportEvent.action == "queued")).all()
    assert len(queued) == len(time_books.visit_ids)


def test_lost_response_after_commit_is_looked_up_and_adopted(time_books):
    knobs_of(time_books.books).add_fault("commit_then_drop", times=2, operation="batch")
    start_time_job(time_books)
    run_time_jobs(time_books, threads=1)
    time_books.assert_exactly_once()
    assert all(r.adopted for r in time_records(time_books).values())


def test_request_that_hangs_past_our_timeout_is_checked_then_resent(time_books):
    knobs_of(time_books.books).add_fault("timeout", times=1, operation="batch", delay=4.0)
    start_time_job(time_books)
    run_time_jobs(time_books, threads=1)
    time_books.assert_exactly_once()
    assert all(r.attempts == 2 and not r.adopted for r in time_records(time_books).values())


def test_429_storm_is_honoured_and_nothing_is_duplicated(make_export_app, sandbox_live):
    from tests.time_export.conftest import seed_time_books

    app = make_export_app(QBO_EXPORT_THROTTLE_WAIT_MAX=0.3)
    tb = seed_time_books(app, sandbox_live.app, sandbox_live.base_url, invoices=35)   # 70 visits: 3 batches
    knobs_of(tb.books).add_fault("throttle", times=8)
    start_time_job(tb)
    worker = run_time_jobs(tb)
    tb.assert_exactly_once()
    assert sum(e.stats["throttled"] for e in worker.engines) >= 1
    assert all(not r.adopted for r in time_records(tb).values())   # a 429 never executed


def test_5xx_storm_recovers_with_backoff(time_books):
    knobs_of(time_books.books).add_fault("error", status=503, times=4)
    knobs_of(time_books.books).add_fault("error", status=500, times=2, operation="batch")
    start_time_job(time_books)
    worker = run_time_jobs(time_books)
    time_books.assert_exactly_once()
    assert sum(e.stats["transient"] for e in worker.engines) >= 2


def test_refusal_is_plain_words_and_retry_sends_it_once(time_books):
    from models.worker_matching import WorkerLink
    from tests.fixtures.sandbox import update_entity
    from tests.export.conftest import REALM

    first = time_books.visit_ids[0]
    entity, worker_id = time_books.worker_of[first]
    worker = update_entity(time_books.books.sandbox, REALM, entity,
                           {"Id": worker_id, "SyncToken": "0", "sparse": True, "Active": False})
    start_time_job(time_books)
    run_time_jobs(time_books)
    failed = [r for r in time_records(time_books).values() if r.status == ExportStatus.FAILED]
    assert failed and all(time_books.worker_of[r.line_id] == (entity, worker_id) for r in failed)
    assert "inactive" in failed[0].last_error.lower()
    # The bookkeeper makes the worker active again; Retry (the same start) sends only those.
    update_entity(time_books.books.sandbox, REALM, entity,
                  {"Id": worker_id, "SyncToken": worker["SyncToken"], "sparse": True, "Active": True})
    start_time_job(time_books, [r.line_id for r in failed])
    run_time_jobs(time_books)
    time_books.assert_exactly_once()
    with time_books.app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(WorkerLink)) == 5
