"""QboClient against the sandbox in-process (httpx2.WSGITransport): the API surface, minorversion
and requestid on the wire, error mapping, bounded retries and the one refresh after a 401."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from qbo import client as client_module
from qbo.client import QboClient, StaticTokens
from qbo.errors import (AuthenticationError, DuplicateNameError, NotFoundError, StaleObjectError,
                        ThrottledError, TransientError, ValidationError)
from qbo.retry import RetryPolicy
from tests.fixtures.sandbox import issue_tokens, register_client
from tests.qbo_connection.conftest import CLIENT_ID, CLIENT_SECRET, COMPANY, REALM, make_sandbox


@pytest.fixture
def sandbox(tmp_path):
    app = make_sandbox(tmp_path)
    register_client(app, CLIENT_ID, CLIENT_SECRET, None)
    return app


def token_for(sandbox) -> str:
    return issue_tokens(sandbox, CLIENT_ID, REALM)["access_token"]


@pytest.fixture
def wire(sandbox):
    """A shared httpx2.Client into the sandbox that records every request."""
    seen: list[httpx2.Request] = []
    http = httpx2.Client(transport=httpx2.WSGITransport(app=sandbox), base_url="http://sandbox.test",
                        event_hooks={"request": [seen.append]})
    http.seen = seen
    yield http
    http.close()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def qbo(sandbox, wire, sleeps):
    return QboClient(wire, base_url="http://sandbox.test", realm_id=REALM,
                     tokens=StaticTokens(token_for(sandbox)),
                     retry=RetryPolicy(sleep=sleeps.append, base_delay=0.01))


def query_of(request: httpx2.Request) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}


def test_company_info_and_preferences(qbo):
    assert qbo.company_info()["CompanyName"] == COMPANY
    assert "SalesFormsPrefs" in qbo.preferences()


def test_every_call_sends_minorversion_and_writes_send_the_requestid(qbo, wire):
    created = qbo.create("Customer", {"DisplayName": "Ada Lovelace"}, request_id="rq-create-1")
    qbo.read("Customer", created["Id"])
    qbo.update("Customer", {"Id": created["Id"], "SyncToken": created["SyncToken"],
                            "Notes": "prefers mornings"}, request_id="rq-update-1")
    qbo.query("SELECT * FROM Customer WHERE DisplayName = 'Ada Lovelace'")
    assert all(query_of(r).get("minorversion") == "75" for r in wire.seen)
    writes = [r for r in wire.seen if r.method == "POST"]
    assert [query_of(r)["requestid"] for r in writes] == ["rq-create-1", "rq-update-1"]
    assert all(r.headers["Authorization"].startswith("Bearer ") for r in wire.seen)
    update_body = writes[1].content
    assert b'"sparse": true' in update_body or b'"sparse":true' in update_body


def test_update_with_an_old_synctoken_is_a_stale_object(qbo):
    customer = qbo.create("Customer", {"DisplayName": "Grace Hopper"}, request_id="rq-1")
    qbo.update("Customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"],
                            "Notes": "one"}, request_id="rq-2")
    with pytest.raises(StaleObjectError) as caught:
        qbo.update("Customer", {"Id": customer["Id"], "SyncToken": customer["SyncToken"],
                                "Notes": "two"}, request_id="rq-3")
    assert caught.value.code == "5010"


def test_duplicate_name_and_validation_and_not_found(qbo):
    qbo.create("Customer", {"DisplayName": "Alan Turing"}, request_id="rq-a")
    with pytest.raises(DuplicateNameError):
        qbo.create("Customer", {"DisplayName": "Alan Turing"}, request_id="rq-b")
    with pytest.raises(ValidationError) as bad_query:
        qbo.query("SELECT * FROM Custmoer")
    assert bad_query.value.code == "4001"
    with pytest.raises((NotFoundError, ValidationError)):
        qbo.read("Customer", "999999")


def test_query_all_walks_every_page(qbo, wire, monkeypatch):
    for n in range(5):
        qbo.create("Customer", {"DisplayName": f"Pager {n}"}, request_id=f"rq-page-{n}")
    monkeypatch.setattr(client_module, "PAGE_SIZE", 2)
    wire.seen.clear()
    names = {c["DisplayName"] for c in qbo.query_all("Customer", "DisplayName LIKE 'Pager%'")}
    assert names == {f"Pager {n}" for n in range(5)}
    sql = [query_of(r)["query"] for r in wire.seen]
    assert [s.split("STARTPOSITION")[1] for s in sql] == [" 1 MAXRESULTS 2", " 3 MAXRESULTS 2",
                                                         " 5 MAXRESULTS 2"]


def test_batch_returns_results_and_faults_per_bid(qbo):
    qbo.create("Customer", {"DisplayName": "Taken Name"}, request_id="rq-taken")
    results = qbo.batch([
        {"bId": "b1", "operation": "create", "Customer": {"DisplayName": "Fresh Name"}},
        {"bId": "b2", "operation": "create", "Customer": {"DisplayName": "Taken Name"}},
        {"bId": "b3", "Query": "SELECT * FROM Customer WHERE DisplayName = 'Taken Name'"},
    ], request_id="rq-batch-1")
    assert results["b1"].ok and results["b1"].data["DisplayName"] == "Fresh Name"
    assert isinstance(results["b2"].error, DuplicateNameError)
    assert results["b3"].entity_name == "QueryResponse"
    with pytest.raises(ValueError):
        qbo.batch([{"bId": f"b{n}", "Query": "SELECT * FROM Item"} for n in range(31)], "rq-x")


def test_reads_retry_throttles_and_5xx_with_backoff(qbo, sandbox, sleeps):
    knobs = sandbox.extensions["qbo_sandbox.knobs"]
    knobs.add_fault("throttle", times=1, operation="read")
    knobs.add_fault("error", status=503, times=2, operation="read")
    assert qbo.company_info()["CompanyName"] == COMPANY
    assert len(sleeps) == 3
    assert any(s >= 60 for s in sleeps)    # the throttle's documented minute


def test_write_retried_with_its_requestid_is_not_duplicated(qbo, sandbox, wire):
    knobs = sandbox.extensions["qbo_sandbox.knobs"]
    knobs.add_fault("commit_then_drop", times=1, operation="create")
    created = qbo.create("Customer", {"DisplayName": "Exactly Once"}, request_id="rq-once")
    assert created["DisplayName"] == "Exactly Once"
    posts = [r for r in wire.seen if r.method == "POST"]
    assert len(posts) == 2 and {query_of(r)["requestid"] for r in posts} == {"rq-once"}
    found = qbo.query("SELECT * FROM Customer WHERE DisplayName = 'Exactly Once'")
    assert len(found["Customer"]) == 1


def test_retries_are_bounded(qbo, sandbox, sleeps):
    sandbox.extensions["qbo_sandbox.knobs"].add_fault("error", status=500, times=None, operation="read")
    with pytest.raises(TransientError) as caught:
        qbo.company_info()
    assert caught.value.ambiguous and caught.value.status == 500
    assert len(sleeps) == qbo.retry.max_attempts - 1


def test_throttle_longer_than_allowed_is_raised_with_its_wait(sandbox, wire):
    sandbox.extensions["qbo_sandbox.knobs"].add_fault("throttle", times=1)
    qbo = QboClient(wire, base_url="http://sandbox.test", realm_id=REALM,
                    tokens=StaticTokens(token_for(sandbox)),
                    retry=RetryPolicy(sleep=lambda s: None, max_throttle_wait=5))
    with pytest.raises(ThrottledError) as caught:
        qbo.company_info()
    assert caught.value.retry_after == 60


class CountingTokens(StaticTokens):
    def __init__(self, first, then):
        super().__init__(first)
        self.then, self.refreshes, self.successes, self.failures = then, 0, 0, []

    def refreshed_after_rejection(self, rejected):
        self.refreshes += 1
        return self.then

    def record_success(self):
        self.successes += 1

    def record_failure(self, error):
        self.failures.append(error)


def test_a_401_refreshes_once_then_succeeds(sandbox, wire):
    tokens = CountingTokens("eyJ" + "x" * 60, token_for(sandbox))
    qbo = QboClient(wire, base_url="http://sandbox.test", realm_id=REALM, tokens=tokens)
    assert qbo.company_info()["CompanyName"] == COMPANY
    assert (tokens.refreshes, tokens.successes, tokens.failures) == (1, 1, [])


def test_a_second_401_is_not_retried_in_a_loop(sandbox, wire):
    tokens = CountingTokens("eyJ" + "x" * 60, "eyJ" + "y" * 60)
    qbo = QboClient(wire, base_url="http://sandbox.test", realm_id=REALM, tokens=tokens)
    with pytest.raises(AuthenticationError) as caught:
        qbo.company_info()
    assert tokens.refreshes == 1 and caught.value.status == 401
    assert len(tokens.failures) == 1


def test_requestid_and_entity_names_are_checked_before_sending(qbo, wire):
    with pytest.raises(ValueError):
        qbo.create("Customer", {"DisplayName": "x"}, request_id="")
    with pytest.raises(ValueError):
        qbo.create("Customer", {"DisplayName": "x"}, request_id="r" * 51)
    with pytest.raises(ValueError):
        qbo.query_all("Customer; DROP")
    assert wire.seen == []
