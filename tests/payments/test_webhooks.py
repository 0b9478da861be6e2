"""Intuit's webhook deliveries (CloudEvents): signed ones are recorded once per event id and
answered 200 before any processing; a forged signature gets 401 and changes nothing; a body that
cannot be used is still acknowledged (a 400 would make Intuit resend it forever); events for a
company CareLedger is not connected to are ignored; the poll that follows is the source of truth."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import uuid

import pytest

from extensions import db
from models.payments import QboWebhookEvent
from services.payments import runner
from services.payments.statuses import QboState
from tests.fixtures.sandbox import serve
from tests.payments.conftest import REALM, act, poll, qbo_id_of, statuses

TOKEN = "verifier-token-for-tests"
OTHER_REALM = "1111111111111111"


def _sign(body: bytes, token: str = TOKEN) -> str:
    return base64.b64encode(hmac.new(token.encode(), body, hashlib.sha256).digest()).decode()


def _event(realm=REALM, entity="invoice", op="updated", entity_id="1", data=None, event_id=None) -> dict:
    return {"specversion": "1.0", "id": event_id or str(uuid.uuid4()), "source": "intuit.test",
            "type": f"qbo.{entity}.{op}.v1", "datacontenttype": "application/json",
            "time": "2026-12-01T10:00:00.000000000Z", "intuitentityid": entity_id,
            "intuitaccountid": realm, "data": data or {}}


@pytest.fixture
def hooked(exported):
    exported.app.config["QBO_WEBHOOK_VERIFIER_TOKEN"] = TOKEN
    yield exported
    for thread in runner.background_checks(exported.app):
        thread.join(30)


def _post(app, body: bytes, signature: str | None, content_type="application/json"):
    headers = {"Content-Type": content_type}
    if signature is not None:
        headers["intuit-signature"] = signature
    return app.test_client().post("/webhooks/quickbooks", data=body, headers=headers)


def _wait_for_checks(app):
    for thread in runner.background_checks(app):
        thread.join(30)
        assert not thread.is_alive()


def _events(app) -> list:
    with app.app_context():
        return list(db.session.scalars(db.select(QboWebhookEvent).order_by(QboWebhookEvent.id)))


def test_a_delivery_from_the_sandbox_is_verified_recorded_and_pulled(hooked):
    """The sandbox's own emitter (signature, CloudEvents envelope) against the app on a socket."""
    from qbo_sandbox.webhooks import emitter_of

    live, stop = serve(hooked.app)
    try:
        emitter = emitter_of(hooked.sandbox)
        emitter.configure(enabled=True, urls=[live.base_url + "/webhooks/quickbooks"],
                          verifier_token=TOKEN, background=False)
        poll(hooked)
        invoice_id = hooked.invoice_ids[0]
        act(hooked, "delete_invoice", qbo_id_of(hooked, invoice_id))
        deliveries = emitter.flush()
        assert deliveries and all(d["status"] == 200 and d["ok"] for d in deliveries)
        _wait_for_checks(hooked.app)
    finally:
        stop()
    assert "qbo.invoice.deleted.v1" in {e.event_type for e in _events(hooked.app)}  # (+ the customer's balance)
    assert all(e.processed_at is not None for e in _events(hooked.app))
    assert statuses(hooked)[invoice_id].state == QboState.DELETED  # the poll it hinted ran


def test_a_forged_signature_is_refused_and_changes_nothing(hooked):
    body = json.dumps([_event()]).encode()
    assert _post(hooked.app, body, _sign(body, "someone-elses-token")).status_code == 401
    assert _post(hooked.app, body, None).status_code == 401
    assert _post(hooked.app, body + b" ", _sign(body)).status_code == 401  # body altered after signing
    assert _events(hooked.app) == [] and runner.background_checks(hooked.app) == []


def test_webhooks_are_off_without_a_verifier_token(exported):
    body = json.dumps([_event()]).encode()
    assert _post(exported.app, body, _sign(body)).status_code == 404


def test_a_replayed_event_is_recorded_once(hooked):
    body = json.dumps([_event(event_id="evt-1"), _event(event_id="evt-2")]).encode()
    first = _post(hooked.app, body, _sign(body))
    again = _post(hooked.app, body, _sign(body))
    assert first.status_code == again.status_code == 200
    assert first.get_json()["new"] == 2
    assert again.get_json() == {"new": 0, "repeated": 2, "ignored": 0}
    assert [e.event_id for e in _events(hooked.app)] == ["evt-1", "evt-2"]


def test_cloudevents_content_type_is_accepted(hooked):
    body = json.dumps([_event(event_id="ce-1")]).encode()
    response = _post(hooked.app, body, _sign(body), content_type="application/cloudevents+json")
    assert response.status_code == 200 and response.get_json()["new"] == 1


def test_a_delivery_mixing_companies_keeps_only_ours(hooked):
    body = json.dumps([_event(event_id="ours"), _event(realm=OTHER_REALM, event_id="theirs")]).encode()
    response = _post(hooked.app, body, _sign(body))
    assert response.get_json() == {"new": 1, "repeated": 0, "ignored": 1}
    assert [(e.event_id, e.realm_id) for e in _events(hooked.app)] == [("ours", REALM)]


@pytest.mark.parametrize("body", [b"", b"not json", b"{}", b'[{"no": "id"}]', "[\"\xe9\"]".encode("latin-1")])
def test_a_signed_body_that_cannot_be_used_is_still_acknowledged(hooked, body):
    response = _post(hooked.app, body, _sign(body))
    assert response.status_code == 200
    assert _events(hooked.app) == []


def test_the_answer_does_not_wait_for_the_processing(hooked, monkeypatch):
    """Structural: the poll the delivery asks for is held at a gate the test opens only after it
    has the answer. Were the processing done inside the request, the answer would come after the
    poll finished; it comes while the poll is still held."""
    gate, steps = threading.Event(), []
    real_poll = runner.poll_realm

    def held_poll(app, **kwargs):
        steps.append("poll started")
        gate.wait(60)
        steps.append("poll finished")
        return real_poll(app, **kwargs)

    monkeypatch.setattr(runner, "poll_realm", held_poll)
    poll(hooked)
    invoice_id = hooked.invoice_ids[0]
    act(hooked, "void_invoice", qbo_id_of(hooked, invoice_id))
    body = json.dumps([_event(entity_id=qbo_id_of(hooked, invoice_id), op="void", event_id="slow")]).encode()
    response = _post(hooked.app, body, _sign(body))
    answered_while_held = "poll finished" not in steps
    recorded_unprocessed = [e.processed_at for e in _events(hooked.app)] == [None]
    gate.set()
    _wait_for_checks(hooked.app)
    assert response.status_code == 200
    assert answered_while_held and recorded_unprocessed
    assert steps == ["poll started", "poll finished"]
    assert statuses(hooked)[invoice_id].state == QboState.VOIDED
    assert [e.processed_at is not None for e in _events(hooked.app)] == [True]


def test_a_merge_event_tells_where_a_customer_without_invoices_went(hooked):
    """CDC shows only the loser's tombstone; the webhook's deletedId names the survivor."""
    from models import CustomerLink, LinkKind, LinkSource, Office
    from tests.fixtures.agency import ClientFactory
    from tests.fixtures.sandbox import create_entity

    lonely = create_entity(hooked.sandbox, REALM, "Customer", {"DisplayName": "Lonely Client"})
    survivor = create_entity(hooked.sandbox, REALM, "Customer", {"DisplayName": "Survivor"})
    with hooked.app.app_context():
        client = ClientFactory(code="C9998", office=db.session.scalars(db.select(Office)).first())
        db.session.add(CustomerLink(realm_id=REALM, kind=LinkKind.CLIENT, client_id=client.id,
                                    qbo_customer_id=lonely["Id"], qbo_display_name="Lonely Client",
                                    source=LinkSource.MANUAL))
        db.session.commit()
        client_id = client.id
    poll(hooked)
    act(hooked, "merge_customers", lonely["Id"], survivor["Id"])
    body = json.dumps([_event(entity="customer", op="merged", entity_id=survivor["Id"],
                              data={"deletedId": lonely["Id"]})]).encode()
    assert _post(hooked.app, body, _sign(body)).status_code == 200
    _wait_for_checks(hooked.app)
    with hooked.app.app_context():
        link = db.session.scalar(db.select(CustomerLink).where(CustomerLink.client_id == client_id))
        assert (link.qbo_customer_id, link.qbo_display_name) == (survivor["Id"], "Survivor")
