"""Undo export: every invoice the run created and that has no payment is voided (or deleted, per
the company's setting) exactly once by the background worker; paid ones stay untouched."""
from __future__ import annotations

from extensions import db
from models.corrections import ActionStatus, InvoiceAction, UndoMode
from tests.corrections.conftest import REALM, exported, money, qbo_invoice, record_of
from tests.export.conftest import seed_books
from tests.fixtures.sandbox import bookkeep
from tests.payments.conftest import poll


def start_undo(books, job_id: int):
    from models import User
    from models.export import ExportJob
    from services.corrections import service

    with books.app.test_request_context():
        started = service.start_undo(db.session.get(User, books.user_id), db.session.get(ExportJob, job_id))
        return started.job.id, started.queued, started.left_alone


def run_undo(books, undo_id: int, threads: int = 2):
    from models.export import ExportJob, JobStatus
    from services.corrections import service
    from services.export.worker import ExportWorker

    def finished():
        service.close_finished_undo_jobs()
        db.session.commit()
        return db.session.get(ExportJob, undo_id).status == JobStatus.DONE

    assert ExportWorker(books.app, threads=threads).run_until(finished, timeout=60, tick_seconds=0.1)


def export_job_id(books) -> int:
    from models.export import ExportJob

    with books.app.app_context():
        return db.session.scalar(db.select(ExportJob.id).where(ExportJob.kind == "export"))


def set_mode(books, mode: UndoMode):
    from services.corrections import service

    with books.app.app_context():
        service.set_undo_mode(REALM, mode.value, None)


def _snapshot(books) -> dict[int, dict]:
    docs = {doc["Id"]: doc for doc in books.qbo_invoices()}  # one query, throttles off
    return {i: docs[record_of(books, i).qbo_id] for i in books.invoice_ids}


def test_undo_voids_each_unpaid_invoice_once_and_leaves_paid_ones(export_app, sandbox_live):
    books = exported(seed_books(export_app, sandbox_live.app, sandbox_live.base_url, invoices=8))
    paid_polled, paid_unpolled = books.invoice_ids[0], books.invoice_ids[1]
    bookkeep(books.sandbox, REALM, "receive_payment", record_of(books, paid_polled).qbo_id, "162.00")
    assert poll(books).ok                     # CareLedger knows this one is paid
    bookkeep(books.sandbox, REALM, "receive_payment", record_of(books, paid_unpolled).qbo_id, "10")
    before = _snapshot(books)

    undo_id, queued, left_alone = start_undo(books, export_job_id(books))
    assert (queued, left_alone) == (7, 1)
    run_undo(books, undo_id)
    assert start_undo(books, export_job_id(books))[1] == 0   # a second press queues nothing

    after = _snapshot(books)
    for invoice_id in (paid_polled, paid_unpolled):
        assert after[invoice_id] == before[invoice_id]
    for invoice_id in books.invoice_ids[2:]:
        assert money(after[invoice_id]["TotalAmt"]) == 0
        assert int(after[invoice_id]["SyncToken"]) == int(before[invoice_id]["SyncToken"]) + 1
    with books.app.app_context():
        actions = db.session.scalars(db.select(InvoiceAction).where(InvoiceAction.job_id == undo_id)).all()
        by_invoice = {a.invoice_id: a for a in actions}
        assert by_invoice[paid_unpolled].status == ActionStatus.SKIPPED
        assert "settles this invoice" in by_invoice[paid_unpolled].message
        assert sorted(a.invoice_id for a in actions if a.status == ActionStatus.DONE) == sorted(books.invoice_ids[2:])


def test_undo_deletes_when_the_company_chose_delete(export_app, sandbox_live):
    books = exported(seed_books(export_app, sandbox_live.app, sandbox_live.base_url, invoices=4))
    set_mode(books, UndoMode.DELETE)
    paid = books.invoice_ids[0]
    bookkeep(books.sandbox, REALM, "receive_payment", record_of(books, paid).qbo_id, "50")
    before = qbo_invoice(books, record_of(books, paid).qbo_id)
    undo_id, queued, _left = start_undo(books, export_job_id(books))
    run_undo(books, undo_id)
    assert qbo_invoice(books, record_of(books, paid).qbo_id) == before
    for invoice_id in books.invoice_ids[1:]:
        assert qbo_invoice(books, record_of(books, invoice_id).qbo_id) is None
    assert len(books.qbo_invoices()) == 1
