"""The webhook emitter and the customer merge steered over HTTP (/_sandbox/webhooks,
/_sandbox/customers/merge) and from the command line."""
from __future__ import annotations

import httpx2
import pytest

from qbo_sandbox import webhooks
from qbo_sandbox.__main__ import build, parse_args
from tests.fixtures.sandbox import REALM, invoice_body
from tests.sandbox.webhooks import receiver as receivers


@pytest.fixture
def control(app):
    client = httpx2.Client(transport=httpx2.WSGITransport(app=app), base_url="http://127.0.0.1")
    yield client
    client.close()
    webhooks.close(app)


def test_settings_over_http_never_show_the_verifier_token(control):
    changed = control.post("/_sandbox/webhooks", json={
        "enabled": True, "urls": ["http://127.0.0.1:9/hook"], "verifier_token": "s3cret-token",
        "content_type": "application/cloudevents+json", "time_compression": 1000, "background": False})
    assert changed.status_code == 200
    state = control.get("/_sandbox/webhooks").json()
    assert state["enabled"] is True and state["urls"] == ["http://127.0.0.1:9/hook"]
    assert state["verifier_token_set"] is True and "s3cret-token" not in control.get("/_sandbox/webhooks").text
    assert state["content_type"] == "application/cloudevents+json" and state["time_compression"] == 1000


@pytest.mark.parametrize("bad", [{"content_type": "text/plain"}, {"format": "xml"}, {"time_compression": 0},
                                 {"urls": ["ftp://x"]}, {"colour": "blue"}])
def test_bad_settings_are_refused_and_change_nothing(control, bad):
    before = control.get("/_sandbox/webhooks").json()
    refused = control.post("/_sandbox/webhooks", json=bad)
    assert refused.status_code == 400 and refused.json()["error"]
    assert control.get("/_sandbox/webhooks").json() == before


def test_changes_need_a_json_content_type(control):
    assert control.post("/_sandbox/webhooks", data={"enabled": "true"}).status_code == 415
    assert control.post("/_sandbox/webhooks/flush", content=b"").status_code == 415
    assert control.post("/_sandbox/customers/merge", data={"from": "1"}).status_code == 415


def test_flush_over_http_walks_the_retry_schedule(app, api, control):
    endpoint, stop = receivers.start(statuses=[500, 500])
    try:
        control.post("/_sandbox/webhooks", json={"enabled": True, "urls": [endpoint.url],
                                                 "verifier_token": "t", "background": False})
        api.create("Customer", {"DisplayName": "Over, Http"})
        first = control.post("/_sandbox/webhooks/flush", json={}).json()
        assert [d["retry_in"] for d in first["delivered"]] == [0, 10]
        assert control.post("/_sandbox/webhooks/flush", json={}).json()["delivered"] == []
        done = control.post("/_sandbox/webhooks/flush", json={"advance_seconds": 10}).json()
        assert [d["ok"] for d in done["delivered"]] == [True]
        assert control.get("/_sandbox/webhooks").json()["deliveries"][-1]["status"] == 200
        assert control.post("/_sandbox/webhooks/flush", json={"advance_seconds": -1}).status_code == 400
    finally:
        stop()


def test_merge_endpoint_and_reset(app, api, setup, control):
    loser = api.create("Customer", {"DisplayName": "Alvarez, M."})
    api.create("Invoice", {**invoice_body(setup), "CustomerRef": {"value": loser["Id"]}})
    merged = control.post("/_sandbox/customers/merge",
                          json={"realm_id": REALM, "from": loser["Id"], "into": setup["customer"]["Id"]})
    assert merged.status_code == 200 and merged.json()["Customer"]["Balance"] == 130
    again = control.post("/_sandbox/customers/merge",
                         json={"realm_id": REALM, "from": loser["Id"], "into": setup["customer"]["Id"]})
    assert again.status_code == 400 and again.json()["Fault"]["Error"][0]["code"] == "610"
    assert control.post("/_sandbox/customers/merge", json={"realm_id": "nope"}).status_code == 404
    control.post("/_sandbox/webhooks", json={"enabled": True, "urls": ["http://127.0.0.1:9/x"]})
    control.post("/_sandbox/knobs/reset", json={})
    assert control.get("/_sandbox/webhooks").json()["enabled"] is False


def test_cli_webhook_flags(tmp_path):
    args = parse_args(["--db", str(tmp_path / "w.sqlite"), "--empty", "--webhook-url", "http://127.0.0.1:9/a",
                       "--webhook-url", "http://127.0.0.1:9/b", "--webhook-verifier-token", "tok",
                       "--webhook-content-type", "application/cloudevents+json", "--webhook-format", "legacy",
                       "--webhook-time-compression", "60"])
    app, _ = build(args)
    settings = webhooks.emitter_of(app).settings
    assert settings.enabled and settings.urls == ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"]
    assert (settings.verifier_token, settings.content_type, settings.format, settings.time_compression) == \
        ("tok", "application/cloudevents+json", "legacy", 60)
    plain, _ = build(parse_args(["--db", str(tmp_path / "p.sqlite"), "--empty"]))
    assert webhooks.emitter_of(plain).settings.enabled is False
