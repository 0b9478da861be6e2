"""An invoice deleted in QuickBooks can be exported again after a confirmation, exactly once:
the old export record does not block it, and a double click (or two browsers) queues it once."""
from __future__ import annotations

import threading

import pytest

from extensions import db
from models.export import ExportStatus, InvoiceExport
from services.payments.statuses import QboState
from tests.fixtures.sandbox import doc_numbers
from tests.payments.conftest import REALM, act, poll, qbo_id_of, run_jobs, statuses


def _again(books, invoice_id):
    from models import Invoice, User
    from services.payments.reexport import export_again

    with books.app.app_context():
        outcome = export_again(db.session.get(User, books.user_id), db.session.get(Invoice, invoice_id), REALM)
        db.session.remove()
        return outcome


def _deleted(exported):
    invoice_id = exported.invoice_ids[0]
    old_qbo_id = qbo_id_of(exported, invoice_id)
    act(exported, "delete_invoice", old_qbo_id)
    assert poll(exported).ok
    assert statuses(exported)[invoice_id].state == QboState.DELETED
    return invoice_id, old_qbo_id


def test_a_deleted_invoice_is_exported_again_once(exported):
    from models import Invoice
    from services.payments.reexport import ExportAgainRefused

    invoice_id, old_qbo_id = _deleted(exported)
    first, second = _again(exported, invoice_id), _again(exported, invoice_id)  # a double click
    assert first.queued and not second.queued and "already" in second.message
    run_jobs(exported)
    new_qbo_id = qbo_id_of(exported, invoice_id)
    assert new_qbo_id and new_qbo_id != old_qbo_id
    with exported.app.app_context():
        number = db.session.get(Invoice, invoice_id).number
        record = db.session.scalar(db.select(InvoiceExport).where(InvoiceExport.invoice_id == invoice_id))
        assert record.status == ExportStatus.EXPORTED
        from services.export.audit import history_of
        assert [e.action for e in history_of(invoice_id)][-3:] == ["reexported", "sent", "exported"]
    assert doc_numbers(exported.sandbox, REALM).count(number) == 1  # the live one, once
    assert poll(exported).ok
    assert statuses(exported)[invoice_id].state == QboState.OPEN
    with pytest.raises(ExportAgainRefused):  # no longer deleted: nothing to export again
        _again(exported, invoice_id)


def test_two_presses_at_once_queue_it_once(exported):
    invoice_id, _ = _deleted(exported)
    outcomes, start = [], threading.Barrier(2)

    def press():
        start.wait()
        outcomes.append(_again(exported, invoice_id))

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(o.queued for o in outcomes) == [False, True]
    with exported.app.app_context():
        from models.export import ExportEvent
        assert db.session.scalar(db.select(db.func.count()).select_from(ExportEvent).where(
            ExportEvent.action == "reexported")) == 1


def test_an_invoice_not_deleted_is_not_exported_again(exported):
    from services.payments.reexport import ExportAgainRefused

    poll(exported)
    with pytest.raises(ExportAgainRefused):
        _again(exported, exported.invoice_ids[0])
    with exported.app.app_context():
        assert db.session.scalar(db.select(InvoiceExport.status).where(
            InvoiceExport.invoice_id == exported.invoice_ids[0])) == ExportStatus.EXPORTED
