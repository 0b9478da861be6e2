"""Finding 4: signing out ends the session on the server. A cookie copied before logout (or before
a deactivation, even after reactivation) is refused for reads and writes; the CSRF token changes at
sign-in and sign-out; sessions end after the idle timeout and the absolute lifetime."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models import Client, Role, User
from models._types import utcnow
from tests.agency.helpers import csrf_token_from


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch):
    from werkzeug.security import generate_password_hash

    import models.users

    monkeypatch.setattr(models.users, "generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


@pytest.fixture
def office(db):
    from models import Agency, Office

    agency = Agency(name="Agency")
    office = Office(agency=agency, name="North", code="N")
    db.session.add_all([agency, office])
    db.session.commit()
    return office


def _stolen_copy(app, client):
    """A second client (another machine) holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value, domain="localhost")
    return thief


def _new_client_form(office, token, code="X-1"):
    return {"csrf_token": token, "code": code, "office_id": str(office.id), "first_name": "Eve",
            "last_name": "Mallory", "active": "y"}


def _client_count(db):
    return db.session.scalar(select(func.count()).select_from(Client))


def test_a_cookie_copied_before_logout_is_refused_for_get_and_post(app, client, auth, make_user, office, db):
    auth.login_as(make_user(Role.OWNER))
    token = csrf_token_from(client.get("/clients/new").get_data(as_text=True))
    thief = _stolen_copy(app, client)
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    auth.logout()

    page = thief.get("/")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    post = thief.post("/clients/new", data=_new_client_form(office, token))
    assert post.status_code in (302, 400) and _client_count(db) == 0
    if post.status_code == 302:
        assert post.headers["Location"].startswith("/login")


def test_reactivation_does_not_revive_old_cookies(app, client, auth, make_user, db):
    owner = make_user(Role.OWNER)
    clerk = make_user(Role.AGENCY_USER)
    clerk_client = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(clerk_client).login_as(clerk)
    assert clerk_client.get("/").status_code == 200
    auth.login_as(owner)
    token = csrf_token_from(client.get("/users").get_data(as_text=True))
    assert client.post(f"/users/{clerk.id}/deactivate", data={"csrf_token": token}).status_code == 303
    assert clerk_client.get("/").status_code == 302
    assert client.post(f"/users/{clerk.id}/activate", data={"csrf_token": token}).status_code == 303
    assert db.session.get(User, clerk.id).is_active_account
    assert clerk_client.get("/").status_code == 302  # still signed out: must sign in again
    AuthActions(clerk_client).login_as(clerk)
    assert clerk_client.get("/").status_code == 200


def test_password_reset_ends_the_users_other_sessions(app, client, auth, make_user):
    owner = make_user(Role.OWNER)
    clerk = make_user(Role.AGENCY_USER)
    clerk_client = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(clerk_client).login_as(clerk)
    auth.login_as(owner)
    token = csrf_token_from(client.get(f"/users/{clerk.id}/password").get_data(as_text=True))
    client.post(f"/users/{clerk.id}/password",
                data={"csrf_token": token, "password": "a-new-long-password",
                      "confirm": "a-new-long-password"})
    assert clerk_client.get("/").status_code == 302


def test_csrf_token_differs_before_and_after_login_and_after_logout(client, auth, make_user):
    user = make_user(Role.OWNER)
    before = auth.csrf_token("/login")
    auth.login_as(user)
    during = auth.csrf_token("/")
    # a token planted before sign-in (session fixation of the CSRF secret) is worthless after it
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    auth.logout()
    after = auth.csrf_token("/login")
    assert len({before, during, after}) == 3
    # the token of the signed-in session no longer passes for the signed-out one
    assert client.post("/login", data={"csrf_token": during, "email": user.email,
                                       "password": "pw-owner"}).status_code == 400


def test_idle_and_absolute_limits_end_the_session(app, client, auth, make_user):
    auth.login_as(make_user(Role.OWNER))
    assert client.get("/").status_code == 200
    idle = app.config["SESSION_IDLE_TIMEOUT_SECONDS"]
    with client.session_transaction() as session:
        session["seen_at"] = (utcnow() - timedelta(seconds=idle + 5)).timestamp()
    assert client.get("/").status_code == 302

    auth.login_as(make_user(Role.ADMIN))
    assert client.get("/").status_code == 200
    lifetime = app.config["SESSION_LIFETIME_SECONDS"]
    with client.session_transaction() as session:
        session["signed_in_at"] = (utcnow() - timedelta(seconds=lifetime + 5)).timestamp()
    assert client.get("/").status_code == 302
