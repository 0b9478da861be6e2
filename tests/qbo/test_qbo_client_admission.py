"""QboClient's `admit` hook (a rate pacer's entry): called once for every HTTP request, right
before it leaves, including the resend after a 401 and the retries of a transient failure."""
from __future__ import annotations

import httpx2
import pytest

from qbo.client import QboClient
from qbo.errors import TransientError
from qbo.retry import RetryPolicy
from tests.fixtures.sandbox import issue_tokens, register_client
from tests.qbo_connection.conftest import CLIENT_ID, CLIENT_SECRET, REALM, make_sandbox


@pytest.fixture
def sandbox(tmp_path):
    app = make_sandbox(tmp_path)
    register_client(app, CLIENT_ID, CLIENT_SECRET, None)
    return app


class Timeline:
    """One ordered record of admissions and of requests reaching the wire."""

    def __init__(self):
        self.events: list[tuple[str, str]] = []

    def admit(self, method: str, path: str) -> None:
        self.events.append(("admit", path))

    def on_request(self, request: httpx2.Request) -> None:
        self.events.append(("sent", request.url.path.rsplit("/", 1)[-1]))


def client_for(sandbox, timeline: Timeline, tokens, transport=None, **kw) -> QboClient:
    http = httpx2.Client(transport=transport or httpx2.WSGITransport(app=sandbox),
                         base_url="http://sandbox.test",
                         event_hooks={"request": [timeline.on_request]})
    return QboClient(http, base_url="http://sandbox.test", realm_id=REALM, tokens=tokens,
                     admit=timeline.admit, **kw)


class RotatingTokens:
    """Hands out a stale token first, so the first call gets a 401 and is resent refreshed."""

    def __init__(self, good: str):
        self.good, self.current = good, "expired-token"

    def access_token(self) -> str:
        return self.current

    def refreshed_after_rejection(self, rejected: str) -> str:
        self.current = self.good
        return self.good

    def record_success(self) -> None:
        pass

    def record_failure(self, error) -> None:
        pass


def test_every_request_is_admitted_right_before_it_is_sent_the_401_resend_too(sandbox):
    good = issue_tokens(sandbox, CLIENT_ID, REALM)["access_token"]
    timeline = Timeline()
    client = client_for(sandbox, timeline, RotatingTokens(good))
    client.company_info()
    client.query("SELECT * FROM Customer MAXRESULTS 1")
    assert timeline.events == [("admit", REALM), ("sent", REALM),      # refused: 401
                               ("admit", REALM), ("sent", REALM),      # the refreshed resend
                               ("admit", "query"), ("sent", "query")]


def test_retries_of_a_transient_failure_are_admitted_each_time(sandbox):
    good = issue_tokens(sandbox, CLIENT_ID, REALM)["access_token"]
    timeline = Timeline()

    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    from qbo.client import StaticTokens

    client = client_for(sandbox, timeline, StaticTokens(good), transport=httpx2.MockTransport(refuse),
                        retry=RetryPolicy(max_attempts=3, sleep=lambda _s: None, base_delay=0.01))
    with pytest.raises(TransientError):
        client.company_info()
    assert [kind for kind, _ in timeline.events] == ["admit", "sent"] * 3
