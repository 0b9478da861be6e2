"""Finding 3: the sign-in throttle holds under a burst. Forty browsers post at once against a live
threaded server; no more wrong passwords are tested than the limit allows, and the right password in the
burst does not get in once the limit is spent. Unknown e-mails cost a password hash too."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import httpx2
import pytest
from werkzeug.serving import make_server

import models.users
from models import LoginAttempt, Role
from models._types import utcnow
from services.agency import login_throttle, sign_in  # noqa: F401

BURST = 40


@pytest.fixture
def live_app(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def checked_passwords(monkeypatch):
    """Every password the app verifies (for a real account or the dummy), in order."""
    tested: list[str] = []
    lock = threading.Lock()
    real_check = models.users.check_password_hash

    def counting_check(password_hash, password):
        with lock:
            tested.append(password)
        return real_check(password_hash, password)

    monkeypatch.setattr(models.users, "check_password_hash", counting_check)
    monkeypatch.setattr(sign_in, "check_password_hash", counting_check, raising=False)
    return tested


def _signed_out_browser(base_url: str):
    browser = httpx2.Client(base_url=base_url, timeout=60)
    page = browser.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return browser, token


def test_forty_parallel_tries_test_at_most_the_limit_and_the_right_one_stays_out(
        app, live_app, make_user, checked_passwords):
    email = make_user(Role.OWNER).email
    limit = app.config["LOGIN_MAX_FAILURES"]
    browsers = [_signed_out_browser(live_app) for _ in range(BURST)]
    passwords = [f"guess-{n}" for n in range(BURST - 1)] + ["pw-owner"]
    statuses: list[int] = [0] * BURST
    start = threading.Barrier(BURST)

    def attempt(n: int) -> None:
        browser, token = browsers[n]
        start.wait()
        statuses[n] = browser.post("/login", data={"email": email, "password": passwords[n],
                                                   "csrf_token": token}).status_code

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(BURST)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for browser, _ in browsers:
        browser.close()

    assert all(status in (200, 302, 429) for status in statuses), statuses
    # The limit counts failures: a right password that signs in is not one, so it may be tested
    # besides `limit` wrong guesses (and then the attacker needed no guessing).
    wrong = [p for p in checked_passwords if p != "pw-owner"]
    assert len(wrong) <= limit, f"{len(wrong)} wrong passwords tested: {checked_passwords}"
    assert statuses.count(429) >= BURST - limit - 1
    # whatever the interleaving, the lock now holds for the right password too
    browser, token = _signed_out_browser(live_app)
    late = browser.post("/login", data={"email": email, "password": "pw-owner", "csrf_token": token})
    browser.close()
    if "pw-owner" not in checked_passwords:
        assert late.status_code == 429


def test_an_unknown_email_costs_one_password_hash_like_a_known_one(client, auth, make_user, checked_passwords):
    user = make_user(Role.OWNER)
    auth.login("nobody@example.test", "whatever-1")
    auth.login(user.email, "whatever-2")
    assert checked_passwords == ["whatever-1", "whatever-2"]


def test_a_deactivated_account_is_refused_after_the_same_work(client, auth, make_user, db, checked_passwords):
    user = make_user(Role.ADMIN)
    user.is_active_account = False
    db.session.commit()
    response = auth.login(user.email, "pw-admin")
    assert response.status_code == 200 and "E-mail or password is not right" in response.get_data(as_text=True)
    assert checked_passwords == ["pw-admin"]


def test_refused_tries_do_not_extend_the_lock(app, client, auth, make_user, db):
    user = make_user(Role.OWNER)
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit + 3):
        auth.login(user.email, "wrong")
    assert db.session.query(LoginAttempt).count() == limit


def test_attempts_older_than_the_retention_are_pruned(app, client, auth, make_user, db):
    user = make_user(Role.OWNER)
    old = utcnow() - timedelta(seconds=app.config["LOGIN_ATTEMPT_RETENTION_SECONDS"] + 60)
    db.session.add_all([LoginAttempt(email=f"x{n}@example.test", ip_address="10.0.0.9", at=old)
                        for n in range(3)])
    db.session.commit()
    auth.login(user.email, "pw-owner")
    assert [a.email for a in db.session.query(LoginAttempt)] == [user.email]
