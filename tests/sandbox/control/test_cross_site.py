"""The /_sandbox control endpoints refuse bodies a foreign web page can send without a CORS
preflight (text/plain, forms, no body), so visiting a site cannot steer a local sandbox."""
from __future__ import annotations

import json

import httpx2
import pytest

from tests.fixtures.sandbox import build_app

FAULT = json.dumps({"kind": "error", "status": 502, "times": 1})


@pytest.fixture
def control(tmp_path):
    app = build_app(tmp_path)
    return app, httpx2.Client(transport=httpx2.WSGITransport(app=app), base_url="http://sandbox.test")


@pytest.mark.parametrize("path, body, content_type", [
    ("/_sandbox/faults", FAULT, "text/plain"),                      # <form enctype=text/plain> / fetch no-cors
    ("/_sandbox/knobs", json.dumps({"latency_ms": 900}), "text/plain;charset=UTF-8"),
    ("/_sandbox/companies", "name=Evil", "application/x-www-form-urlencoded"),
    ("/_sandbox/knobs/reset", "", None),
])
def test_simple_cross_site_requests_are_refused_and_change_nothing(control, path, body, content_type):
    app, http = control
    knobs = app.extensions["qbo_sandbox.knobs"]
    knobs.add_fault("error", status=503)
    before = http.get("/_sandbox/knobs").json()
    headers = {"Content-Type": content_type} if content_type else {}
    response = http.post(path, content=body, headers=headers)
    assert response.status_code == 415
    assert http.get("/_sandbox/knobs").json() == before
    with app.extensions["qbo_sandbox.store"].transaction() as tx:
        assert len(tx.companies()) == 2  # the two made by build_app


def test_json_requests_still_work(control):
    app, http = control
    assert http.post("/_sandbox/faults", content=FAULT,
                     headers={"Content-Type": "application/json"}).status_code == 201
    assert http.post("/_sandbox/knobs/reset", json={}).status_code == 200
    assert app.extensions["qbo_sandbox.knobs"].faults == []
