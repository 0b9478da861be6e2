"""The change check through the API and the sandbox: each bookkeeper's change (full and partial
payment, void, delete, rename, merge, deactivate, an edited total) reaches the invoice's status,
in one metered read, and the same changes arriving twice change nothing."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from extensions import db
from services.payments.statuses import QboState
from tests.fixtures.sandbox import create_entity, update_entity
from tests.payments.conftest import REALM, act, poll, qbo_id_of, statuses


def _rows(app):
    from models.payments import QboCustomerState, QboInvoiceState, QboPayment, QboPaymentLine

    with app.app_context():
        return {model.__tablename__: sorted(
            tuple(str(getattr(row, c.name)) for c in model.__table__.columns if c.name not in ("id", "seen_at"))
            for row in db.session.scalars(db.select(model)))
            for model in (QboInvoiceState, QboPayment, QboPaymentLine, QboCustomerState)}


def test_a_first_poll_shows_every_exported_invoice_open_in_one_read(exported):
    first = poll(exported)
    assert first.ok and first.reads == 1
    found = statuses(exported)
    assert set(found) == set(exported.invoice_ids)
    assert {s.state for s in found.values()} == {QboState.OPEN}


def test_each_change_shows_its_status(exported):
    ids = exported.invoice_ids
    poll(exported)
    sent = {i: qbo_id_of(exported, i) for i in ids[:8]}
    with exported.app.app_context():
        from models.export import InvoiceExport
        totals = {r.invoice_id: r.qbo_total for r in db.session.scalars(db.select(InvoiceExport))}
    act(exported, "receive_payment", sent[ids[0]], str(totals[ids[0]]))           # paid in full
    act(exported, "receive_payment", sent[ids[1]], "10.00")                        # partially
    act(exported, "void_invoice", sent[ids[2]])
    act(exported, "delete_invoice", sent[ids[3]])
    doc = exported.api().get(f"/v3/company/{REALM}/invoice/{sent[ids[4]]}", params={"minorversion": "75"}).json()["Invoice"]
    other = create_entity(exported.sandbox, REALM, "Customer", {"DisplayName": "Someone Else"})
    update_entity(exported.sandbox, REALM, "Invoice", {"Id": doc["Id"], "SyncToken": doc["SyncToken"],
                                                       "CustomerRef": {"value": other["Id"]}})

    result = poll(exported)
    assert result.ok, result.reason
    assert result.reads == 1
    found = statuses(exported)
    assert found[ids[0]].state == QboState.PAID and found[ids[0]].paid_on is not None
    assert found[ids[0]].label.startswith("Paid on ")
    assert found[ids[1]].state == QboState.PARTIAL
    assert found[ids[1]].balance == totals[ids[1]] - Decimal("10.00")
    assert found[ids[2]].state == QboState.VOIDED
    assert found[ids[3]].state == QboState.DELETED and found[ids[3]].can_export_again
    assert found[ids[4]].state == QboState.CHANGED and "another customer" in found[ids[4]].title
    assert found[ids[5]].state == QboState.OPEN

    from services.payments.statuses import payments_of
    with exported.app.app_context():
        paid = payments_of(REALM, sent[ids[0]])
    assert [p.amount for p in paid] == [totals[ids[0]]]


def test_the_same_changes_twice_change_nothing(exported):
    from models.payments import QboPollState

    ids = exported.invoice_ids
    poll(exported)
    act(exported, "receive_payment", qbo_id_of(exported, ids[0]), "5.00")
    act(exported, "delete_invoice", qbo_id_of(exported, ids[1]))
    assert poll(exported).ok
    once = _rows(exported.app)
    with exported.app.app_context():  # the next poll's window covers the same changes again
        state = db.session.get(QboPollState, REALM)
        state.watermark = state.watermark - timedelta(hours=1)
        db.session.commit()
    again = poll(exported)
    assert again.ok and again.applied.total >= 2  # they did arrive again …
    assert _rows(exported.app) == once            # … and left every row as it was


def test_watermark_is_taken_before_the_call(exported):
    """A change committed while the CDC call is under way is after the watermark: the next poll
    asks from before it."""
    from models.payments import QboPollState
    from services.payments.poll import changed_since

    with exported.app.app_context():
        from models._types import utcnow
        before = utcnow()
    poll(exported)
    with exported.app.app_context():
        state = db.session.get(QboPollState, REALM)
        assert before <= state.watermark
        assert state.last_reads == 1 and not state.last_error
        since = changed_since(state.watermark, utcnow(), 60)
        assert since < state.watermark


def test_a_failed_poll_keeps_the_watermark_and_says_why(exported):
    from models.payments import QboPollState
    from tests.fixtures.sandbox import knobs

    poll(exported)
    with exported.app.app_context():
        mark = db.session.get(QboPollState, REALM).watermark
    act(exported, "delete_invoice", qbo_id_of(exported, exported.invoice_ids[0]))
    knobs(exported.sandbox).add_fault("error", status=503, times=5, operation="cdc")
    failed = poll(exported)
    assert failed.ran and not failed.ok
    assert "QuickBooks" in failed.reason and "try again" in failed.reason
    with exported.app.app_context():
        state = db.session.get(QboPollState, REALM)
        assert state.watermark == mark and state.last_error == failed.reason and state.lease_owner is None
    knobs(exported.sandbox).clear_faults()
    assert poll(exported).ok  # the next poll repeats the window: nothing is lost
    assert statuses(exported)[exported.invoice_ids[0]].state == QboState.DELETED
