"""Knobs, faults, throttling, requestid replay, batch limits, mounting and thread safety."""
from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET

import httpx2
import pytest
import requests

from qbo_sandbox.control.knobs import SandboxConnectionDropped, parse_fault_spec
from tests.fixtures.sandbox import REALM, access_token, build_app, invoice_body, make_api
from tests.fixtures.sandbox import serve
from tests.shared_data import fixture_path

SAMPLES = fixture_path("qbo", "samples")


def _count(api, name):
    return api.ok(api.query(f"SELECT count(*) FROM Customer WHERE DisplayName = '{name}'"))["QueryResponse"].get("totalCount")


def test_error_fault_next_n_requests(app, api):
    knobs = app.extensions["qbo_sandbox.knobs"]
    knobs.add_fault("error", status=503, times=2, path=r"/customer$")
    assert api.post("customer", {"DisplayName": "Try 1"}).status_code == 503
    response = api.post("customer", {"DisplayName": "Try 2"})
    assert response.status_code == 503 and response.json()["Fault"]["type"] == "SystemFault"
    assert api.get("query", query="SELECT * FROM Customer").status_code == 200  # path not targeted
    assert api.post("customer", {"DisplayName": "Try 3"}).status_code == 200
    assert _count(api, "Try 1") == 0 and [e["status"] for e in knobs.log] == [503, 503]


def test_throttle_burst_fault_is_intuits_xml(app, api):
    app.extensions["qbo_sandbox.knobs"].add_fault("throttle", times=3, operation="query")
    statuses = [api.query("SELECT * FROM Item").status_code for _ in range(4)]
    assert statuses == [429, 429, 429, 200]


def test_probability_faults_are_reproducible(tmp_path):
    def run(seed):
        app = build_app(_fresh(tmp_path, seed))
        app.extensions["qbo_sandbox.knobs"].add_fault("error", times=None, probability=0.5, seed=seed)
        api = make_api(app)
        return [api.get("preferences").status_code for _ in range(20)]
    first, again, other = run(7), run(7), run(8)
    assert first == again and first != other and 200 in first and 500 in first


def _fresh(tmp_path, seed):
    path = tmp_path / f"run{seed}-{time.monotonic_ns()}"
    path.mkdir()
    return path


def test_commit_then_drop_in_process_and_requestid_retry(app, api):
    app.extensions["qbo_sandbox.knobs"].add_fault("commit_then_drop", operation="create", entity="customer")
    with pytest.raises(SandboxConnectionDropped):
        api.post("customer", {"DisplayName": "Written Anyway"}, requestid="rq-1")
    assert _count(api, "Written Anyway") == 1  # committed before the drop
    retry = api.post("customer", {"DisplayName": "Written Anyway"}, requestid="rq-1")
    assert retry.status_code == 200 and retry.json()["Customer"]["DisplayName"] == "Written Anyway"
    assert _count(api, "Written Anyway") == 1  # replayed, not re-executed


def test_drop_before_executing_writes_nothing(app, api):
    app.extensions["qbo_sandbox.knobs"].add_fault("drop", operation="create")
    with pytest.raises(SandboxConnectionDropped):
        api.post("customer", {"DisplayName": "Never Written"})
    assert _count(api, "Never Written") == 0


def test_commit_then_drop_over_a_real_socket(app, live):
    app.extensions["qbo_sandbox.knobs"].add_fault("commit_then_drop", operation="create")
    headers = {"Authorization": f"Bearer {access_token(app)}", "Accept": "application/json"}
    url = f"{live.base_url}/v3/company/{REALM}/customer?requestid=sock-1&minorversion=75"
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(url, json={"DisplayName": "Socket Person"}, headers=headers, timeout=5)
    again = requests.post(url, json={"DisplayName": "Socket Person"}, headers=headers, timeout=5)
    assert again.status_code == 200 and again.json()["Customer"]["Id"] == "1"
    assert again.headers["intuit_tid"].startswith("1-")


def test_timeout_fault_hangs_then_drops(app, live):
    app.extensions["qbo_sandbox.knobs"].add_fault("timeout", delay=1.5, operation="query")
    headers = {"Authorization": f"Bearer {access_token(app)}", "Accept": "application/json"}
    url = f"{live.base_url}/v3/company/{REALM}/query?query=SELECT%20*%20FROM%20Item"
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(url, headers=headers, timeout=0.5)
    time.sleep(1.2)
    assert requests.get(url, headers=headers, timeout=5).status_code == 200


def test_latency_knob(app, api):
    knobs = app.extensions["qbo_sandbox.knobs"]
    knobs.latency_ms = 150
    started = time.perf_counter()
    api.get("preferences")
    assert time.perf_counter() - started >= 0.15
    knobs.reset()
    assert knobs.latency_ms == 0 and knobs.faults == []


def test_http_control_endpoint(app):
    control = httpx2.Client(transport=httpx2.WSGITransport(app=app), base_url="http://sandbox.test")
    response = control.post("/_sandbox/knobs", json={
        "throttle_enabled": True, "access_token_lifetime": 120,
        "faults": [{"kind": "error", "status": 502, "times": 1}]})
    assert response.status_code == 200 and app.config["ACCESS_TOKEN_LIFETIME"] == 120
    api = make_api(app)
    assert api.get("preferences").status_code == 502
    assert control.post("/_sandbox/knobs", json={"nonsense": 1}).status_code == 400
    assert control.post("/_sandbox/faults", json={"kind": "drop", "times": 1}).status_code == 201
    assert control.get("/_sandbox/knobs").json()["faults"][0]["kind"] == "drop"
    assert control.get("/_sandbox/faults/log").json()["log"][0]["status"] == 502
    made = control.post("/_sandbox/companies", json={"name": "Fresh Co"}).json()
    assert made["realm_id"].isdigit() and len(made["realm_id"]) == 16


def test_control_endpoint_can_be_disabled(tmp_path):
    app = build_app(tmp_path, KNOBS_HTTP_ENABLED=False)
    control = httpx2.Client(transport=httpx2.WSGITransport(app=app), base_url="http://sandbox.test")
    assert control.post("/_sandbox/knobs", json={"latency_ms": 5}).status_code == 404


def test_fault_spec_cli_form():
    assert parse_fault_spec("error:status=503,times=2,path=/invoice") == {
        "kind": "error", "status": 503, "times": 2, "path": "/invoice"}
    assert parse_fault_spec("throttle:times=all")["times"] is None


def test_throttle_limits_per_second_and_batch(app, api):
    knobs = app.extensions["qbo_sandbox.knobs"]
    knobs.throttle_enabled = True
    statuses = [api.get("preferences").status_code for _ in range(11)]
    assert statuses.count(200) == 10 and statuses[-1] == 429
    body = ET.fromstring(api.get("preferences").text)
    sample = ET.fromstring((SAMPLES / "qbo_fault_429_throttle_exceeded.xml").read_text())
    def shape(el):
        return (el.tag, sorted(el.attrib), [shape(c) for c in el])
    assert shape(body) == shape(sample)
    other = make_api(app, realm="9341453172470000")  # another realm has its own window
    assert other.get("preferences").status_code == 200
    time.sleep(1.05)
    knobs.throttle_limits["per_realm_app_per_second"] = 1000
    knobs.throttle_limits["batch_per_realm_app_per_minute"] = 3
    batch = {"BatchItemRequest": [{"bId": "1", "Query": "SELECT * FROM Term"}]}
    assert [api.post("batch", batch).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_batch_limits_and_replay(api, setup):
    too_many = {"BatchItemRequest": [{"bId": str(i), "Query": "SELECT * FROM Term"} for i in range(31)]}
    assert api.post("batch", too_many).status_code == 400
    dup_bids = {"BatchItemRequest": [{"bId": "a", "Query": "SELECT * FROM Term"}] * 2}
    assert api.post("batch", dup_bids).status_code == 400
    body = {"BatchItemRequest": [
        {"bId": "c1", "operation": "create", "Customer": {"DisplayName": "Batch Replay"}},
        {"bId": "i1", "operation": "create", "Invoice": invoice_body(setup)}]}
    first = api.ok(api.post("batch", body, requestid="batch-1"))
    second = api.ok(api.post("batch", body, requestid="batch-1"))
    assert first == second and _count(api, "Batch Replay") == 1
    assert api.ok(api.query("SELECT count(*) FROM Invoice"))["QueryResponse"]["totalCount"] == 1


def test_validation_fault_is_replayed_too(api):
    api.create("Customer", {"DisplayName": "Taken"})
    first = api.post("customer", {"DisplayName": "Taken"}, requestid="dup-1")
    again = api.post("customer", {"DisplayName": "Taken"}, requestid="dup-1")
    assert first.status_code == again.status_code == 400 and first.json() == again.json()


def test_mounted_under_a_prefix(app):
    server, stop = serve(app, prefix="/qbo-sandbox")
    try:
        headers = {"Authorization": f"Bearer {access_token(app)}", "Accept": "application/json"}
        url = f"{server.base_url}/v3/company/{REALM}"
        assert requests.get(f"{url}/preferences", headers=headers, timeout=5).status_code == 200
        bad = requests.get(f"{url}/customer/1/5", headers=headers, timeout=5).json()
        detail = bad["Fault"]["Error"][0]["Detail"]
        assert f"relative : /v3/company/{REALM}/customer/1/5 of full path: {url}/customer/1/5" in detail
        page = requests.get(f"{server.base_url}/app/customers", timeout=5).text
        assert 'href="/qbo-sandbox/app/' in page
    finally:
        stop()


def test_concurrent_writes_over_threaded_server(app, live):
    headers = {"Authorization": f"Bearer {access_token(app)}", "Accept": "application/json"}
    url = f"{live.base_url}/v3/company/{REALM}/customer"
    results, lock = [], threading.Lock()

    def worker(n):
        session = requests.Session()
        for i in range(15):
            names = [f"Unique {n}-{i}", "Contended Name"]
            for name in names:
                r = session.post(url, json={"DisplayName": name}, headers=headers, timeout=10)
                with lock:
                    results.append((name, r.status_code, r.json()))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    unique = [r for r in results if r[0] != "Contended Name"]
    assert all(status == 200 for _, status, _ in unique)
    ids = [body["Customer"]["Id"] for _, _, body in unique] + [
        body["Customer"]["Id"] for name, status, body in results if name == "Contended Name" and status == 200]
    assert len(ids) == len(set(ids)) == 91
    contended = [status for name, status, _ in results if name == "Contended Name"]
    assert contended.count(200) == 1 and contended.count(400) == 89
