"""The sandbox sign-in throttle (shared by the OAuth sign-in page and the /app view): atomic under a
parallel burst, and an unknown e-mail costs the same password check as a known one."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from qbo_sandbox import oauth
from tests.fixtures.sandbox import REALM, build_app, serve

USER = ("owner@books.example", "the-right-password")


def _form(session: requests.Session, url: str) -> str:
    page = session.get(url)
    return page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _try(base: str, password: str) -> str:
    with requests.Session() as browser:
        token = _form(browser, f"{base}/app/signin")
        answer = browser.post(f"{base}/app/signin", allow_redirects=False,
                              data={"csrf_token": token, "email": USER[0], "password": password})
    if answer.status_code == 303:
        return "signed-in"
    return "throttled" if answer.status_code == 429 else "wrong"


def test_a_parallel_burst_tests_at_most_the_limit_then_even_the_right_password_waits(tmp_path):
    app = build_app(tmp_path)
    oauth.register_user(app, *USER, REALM)
    live, stop = serve(app)
    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            outcomes = list(pool.map(lambda n: _try(live.base_url, f"guess-{n}"), range(40)))
        assert outcomes.count("wrong") <= 5 and outcomes.count("throttled") >= 35
        assert _try(live.base_url, USER[1]) == "throttled"
    finally:
        stop()


def test_the_oauth_sign_in_page_is_throttled_too(tmp_path, monkeypatch):
    app = build_app(tmp_path)
    oauth.register_user(app, *USER, REALM)
    client = app.test_client()
    url = "/connect/oauth2?client_id=careledger-tests&redirect_uri=http://127.0.0.1/callback" \
          "&response_type=code&scope=com.intuit.quickbooks.accounting&state=s"
    token = client.get(url).text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answers = [client.post(url, data={"csrf_token": token, "action": "signin", "email": USER[0],
                                      "password": f"wrong-{n}"}) for n in range(30)]
    assert [a.status_code for a in answers].count(429) == 25
    right = client.post(url, data={"csrf_token": token, "action": "signin", "email": USER[0],
                                   "password": USER[1]})
    assert right.status_code == 429 and b"Too many sign-in attempts" in right.data


def test_a_right_password_within_the_limit_signs_in_and_frees_its_attempt(tmp_path):
    app = build_app(tmp_path, SIGNIN_MAX_FAILURES=2)
    oauth.register_user(app, *USER, REALM)
    live, stop = serve(app)
    try:
        assert _try(live.base_url, "wrong") == "wrong"
        for _ in range(3):
            assert _try(live.base_url, USER[1]) == "signed-in"
        assert _try(live.base_url, "wrong") == "wrong"
        assert _try(live.base_url, "wrong") == "throttled"
    finally:
        stop()


def test_an_unknown_email_costs_one_password_check_like_a_known_one(tmp_path, monkeypatch):
    from qbo_sandbox.oauth import store
    app = build_app(tmp_path)
    oauth.register_user(app, *USER, REALM)
    checks = []
    real = store.check_password_hash
    monkeypatch.setattr(store, "check_password_hash",
                        lambda stored, given: checks.append(stored) or real(stored, given))
    assert store.check_user_password(app, "nobody@books.example", "whatever") is None
    assert store.check_user_password(app, USER[0], "wrong") is None
    assert len(checks) == 2 and checks[0].split("$")[0] == checks[1].split("$")[0]  # same method
