"""The sandbox's webhooks: each API change reaches a real local endpoint as Intuit sends it —
CloudEvents array (or the legacy body), `intuit-signature`, mixed companies, Intuit's retry
schedule, later events held back until the first delivery is acknowledged, a background thread
that ends with the app."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from qbo_sandbox import webhooks
from qbo_sandbox.webhooks.emitter import RETRY_SCHEDULE
from qbo_sandbox.webhooks.envelope import sign
from tests.fixtures.sandbox import OTHER_REALM, REALM, invoice_body, make_api
from tests.sandbox.webhooks import receiver as receivers
from tests.shared_data import fixture_path

SAMPLES = fixture_path("qbo", "samples")
TOKEN = "verifier-token-for-tests"


def _sample(name):
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture
def endpoint():
    receiver, stop = receivers.start()
    yield receiver
    stop()


@pytest.fixture
def emitter(app, endpoint):
    hooks = webhooks.emitter_of(app)
    hooks.configure(enabled=True, urls=[endpoint.url], verifier_token=TOKEN, background=False)
    yield hooks
    webhooks.close(app)


def _types(delivery) -> list[tuple]:
    return [(e["type"], e["intuitentityid"]) for e in delivery.json]


def test_signature_matches_intuits_test_vectors():
    vectors = _sample("webhook_signature_test_vectors.json")
    payload = (SAMPLES / vectors["payload_file"]).read_bytes().strip()
    assert sign(payload, vectors["verifier_token"]) == vectors["intuit_signature"]
    second = vectors["second_vector_python_quickbooks"]
    assert sign(second["payload"].encode(), second["verifier_token"]) == second["intuit_signature"]


def test_an_invoice_create_is_a_signed_cloudevents_array_shaped_like_intuits(api, setup, emitter, endpoint):
    emitter.flush()  # the setup's customer and items
    invoice = api.create("Invoice", invoice_body(setup))
    [entry] = emitter.flush()
    assert entry["ok"] and entry["status"] == 200
    delivery = endpoint.deliveries[-1]
    assert delivery.headers["content-type"] == "application/json"
    expected = base64.b64encode(hmac.new(TOKEN.encode(), delivery.body, hashlib.sha256).digest()).decode()
    assert delivery.headers["intuit-signature"] == expected
    sample = _sample("webhook_cloudevents_payload_intuit_blog.json")[0]
    events = delivery.json
    assert isinstance(events, list)
    for event in events:
        assert set(event) == set(sample) and event["specversion"] == "1.0"
        assert event["intuitaccountid"] == REALM and event["source"].startswith("intuit.")
        assert event["time"].endswith("Z") and len(event["time"]) == len(sample["time"])
    assert ("qbo.invoice.created.v1", invoice["Id"]) in _types(delivery)
    assert [e["data"] for e in events if e["type"] == "qbo.invoice.created.v1"] == [{}]
    assert len({e["id"] for e in events}) == len(events)


def test_payment_void_delete_and_merge_events(app, api, setup, emitter, endpoint):
    from qbo_sandbox.accounting import bookkeeping
    from qbo_sandbox.accounting.company import ensure_company
    from qbo_sandbox.accounting.context import Ctx

    paid, voided, deleted = (api.create("Invoice", invoice_body(setup)) for _ in range(3))
    loser = api.create("Customer", {"DisplayName": "Alvarez, M."})
    emitter.flush()
    payment = api.create("Payment", {"CustomerRef": {"value": setup["customer"]["Id"]}, "TotalAmt": 130,
                                     "Line": [{"Amount": 130, "LinkedTxn": [{"TxnId": paid["Id"], "TxnType": "Invoice"}]}]})
    api.ok(api.post("invoice", {"Id": voided["Id"], "SyncToken": "0"}, operation="void"))
    api.ok(api.post("invoice", {"Id": deleted["Id"], "SyncToken": "0"}, operation="delete"))
    with app.extensions["qbo_sandbox.store"].transaction() as tx:
        ctx = Ctx(tx, REALM, ensure_company(tx, REALM))
        bookkeeping.merge_customers(ctx, loser["Id"], setup["customer"]["Id"])
    webhooks.publish(app, REALM, ctx.changes, ctx.now)
    emitter.flush()
    events = endpoint.deliveries[-1].json
    kinds = [(e["type"], e["intuitentityid"]) for e in events]
    for wanted in (("qbo.payment.created.v1", payment["Id"]), ("qbo.invoice.updated.v1", paid["Id"]),
                   ("qbo.invoice.void.v1", voided["Id"]), ("qbo.invoice.deleted.v1", deleted["Id"]),
                   ("qbo.customer.merged.v1", setup["customer"]["Id"])):
        assert wanted in kinds
    merged = [e for e in events if e["type"] == "qbo.customer.merged.v1"][0]
    assert merged["data"] == {"deletedId": loser["Id"]}


def test_one_delivery_mixes_companies(app, api, setup, emitter, endpoint):
    other = make_api(app, realm=OTHER_REALM)
    emitter.flush()
    api.create("Customer", {"DisplayName": "Realm One Client"})
    other.create("Customer", {"DisplayName": "Realm Two Client"})
    [entry] = emitter.flush()
    assert entry["realms"] == sorted([REALM, OTHER_REALM])
    assert {e["intuitaccountid"] for e in endpoint.deliveries[-1].json} == {REALM, OTHER_REALM}
    other.http.close()


def test_cloudevents_content_type_knob(api, emitter, endpoint):
    emitter.configure(content_type="application/cloudevents+json")
    api.create("Customer", {"DisplayName": "Typed, Client"})
    emitter.flush()
    assert endpoint.deliveries[-1].headers["content-type"] == "application/cloudevents+json"


def test_legacy_format_knob_groups_by_company_like_intuits_sample(app, api, emitter, endpoint):
    emitter.configure(format="legacy")
    other = make_api(app, realm=OTHER_REALM)
    created = api.create("Customer", {"DisplayName": "Legacy, Client"})
    other.create("Customer", {"DisplayName": "Legacy, Other"})
    emitter.flush()
    body = endpoint.deliveries[-1].json
    sample = _sample("webhook_legacy_payload_intuit_blog.json")
    assert set(body) == set(sample)
    notes = {n["realmId"]: n for n in body["eventNotifications"]}
    assert set(notes) == {REALM, OTHER_REALM}
    entity = notes[REALM]["dataChangeEvent"]["entities"][0]
    sample_entity = sample["eventNotifications"][0]["dataChangeEvent"]["entities"][0]
    assert set(entity) == set(sample_entity)
    assert (entity["name"], entity["id"], entity["operation"]) == ("Customer", created["Id"], "Create")
    assert len(entity["lastUpdated"]) == len(sample_entity["lastUpdated"])
    other.http.close()


def test_failed_delivery_follows_intuits_schedule_and_holds_later_events_back(api, emitter, endpoint):
    endpoint.statuses = [500] * len(RETRY_SCHEDULE) + [503]
    first = api.create("Customer", {"DisplayName": "First, Change"})
    waits = [e["retry_in"] for e in emitter.flush()]  # the first try and the immediate retry
    later = api.create("Customer", {"DisplayName": "Later, Change"})
    for _ in range(len(RETRY_SCHEDULE) - 1):
        assert emitter.flush() == []  # not due yet: nothing is sent early
        emitter.advance(waits[-1])
        waits += [e["retry_in"] for e in emitter.flush()]
    assert waits == list(RETRY_SCHEDULE) + [21600]  # then every 6 hours
    bodies = {d.body for d in endpoint.deliveries}
    assert len(bodies) == 1  # every retry resends the same batch, the later event held back
    assert [e["intuitentityid"] for e in endpoint.deliveries[0].json] == [first["Id"]]
    emitter.advance(21600)
    delivered = emitter.flush()
    assert [e["ok"] for e in delivered] == [True, True]  # the batch, then what was held back
    assert [e["intuitentityid"] for e in endpoint.deliveries[-1].json] == [later["Id"]]
    assert emitter.pending()[endpoint.url] == {"pending": 0, "inflight": 0, "failures": 0}


def test_an_unreachable_endpoint_counts_as_a_failure(api, emitter):
    emitter.configure(urls=["http://127.0.0.1:9/nothing-listens"])
    api.create("Customer", {"DisplayName": "Nobody, Home"})
    attempts = emitter.flush()
    assert [(a["status"], a["ok"]) for a in attempts] == [(None, False), (None, False)]


def test_background_thread_retries_with_time_compression_and_ends_with_the_app(app, api, endpoint):
    endpoint.statuses = [500, 500]
    hooks = webhooks.emitter_of(app)
    hooks.configure(enabled=True, urls=[endpoint.url], verifier_token=TOKEN, time_compression=1000)
    created = api.create("Customer", {"DisplayName": "Threaded, Client"})
    got = endpoint.wait_for(3)  # fail, retry at once (fail), retry after 10 s / 1000
    assert len({d.body for d in got}) == 1
    assert [e["intuitentityid"] for e in got[-1].json] == [created["Id"]]
    webhooks.close(app)
    assert not hooks.thread_alive
    api.create("Customer", {"DisplayName": "After, Close"})
    assert not hooks.thread_alive and len(endpoint.deliveries) == 3


def test_nothing_is_sent_when_off_or_for_entities_not_subscribed(app, api, emitter, endpoint):
    emitter.configure(entities=["Invoice"])
    api.create("Customer", {"DisplayName": "Unsubscribed, Client"})
    assert emitter.flush() == []
    emitter.configure(enabled=False, entities=None)
    api.create("Customer", {"DisplayName": "Off, Client"})
    assert emitter.flush() == [] and endpoint.deliveries == []


def test_batch_items_send_their_events_and_a_failed_item_sends_none(api, setup, emitter, endpoint):
    invoice = api.create("Invoice", invoice_body(setup))
    emitter.flush()
    body = {"BatchItemRequest": [
        {"bId": "1", "operation": "create", "Customer": {"DisplayName": "Batch, Client"}},
        {"bId": "2", "operation": "create", "Customer": {"DisplayName": "Batch, Client"}},  # 6240
        {"bId": "3", "operation": "update", "optionsData": "void",
         "Invoice": {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"]}}]}
    answers = api.ok(api.post("batch", body))["BatchItemResponse"]
    assert "Fault" in answers[1]
    emitter.flush()
    types = [e["type"] for e in endpoint.deliveries[-1].json]
    assert types.count("qbo.customer.created.v1") == 1 and "qbo.invoice.void.v1" in types
