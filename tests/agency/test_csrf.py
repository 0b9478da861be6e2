"""CSRF: every state-changing route (from the URL map) refuses a request without the token and
changes nothing; htmx requests carry the token in the X-CSRFToken header set on <body>."""
from __future__ import annotations

import re

import pytest

from models import BatchStatus, Role
from tests.agency.helpers import GUARDED, ROLES, SIGNED_NOT_CSRF, route_id, snapshot, url_for_rule

UNSAFE = [route for route in GUARDED if route[2] not in ("GET",) and route[0] not in SIGNED_NOT_CSRF]
SIGNED = [route for route in GUARDED if route[0] in SIGNED_NOT_CSRF]


def _a_role_allowed(app, endpoint: str) -> Role:
    access = getattr(app.view_functions[endpoint], "access", None)
    return ROLES[0] if access == "public" else next(r for r in ROLES if r in access)


def test_there_are_unsafe_routes_to_check():
    assert len(UNSAFE) >= 8  # finalize, client/user forms, imports, logout, ...


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("route", UNSAFE, ids=route_id)
def test_unsafe_route_without_token_is_refused_and_changes_nothing(app, client, auth, db, world,
                                                                    route, htmx):
    endpoint, rule, method = route
    auth.login_as(getattr(world.users, _a_role_allowed(app, endpoint).value))
    url = url_for_rule(app, rule, world)
    before = snapshot(db)

    headers = {"HX-Request": "true"} if htmx else {}
    response = client.open(url, method=method, headers=headers,
                           data={"confirm": "y", "name": "X", "email": "x@example.com", "role": "owner",
                                 "password": "long-enough-password", "code": "NEW-1"})
    assert response.status_code == 400, (url, response.status_code)
    assert snapshot(db) == before
    assert client.get("/").status_code == 200  # still signed in: even logout was refused


@pytest.mark.parametrize("route", SIGNED, ids=route_id)
def test_signed_route_without_its_signature_is_refused_and_changes_nothing(app, client, db, world, route):
    endpoint, rule, method = route
    before = snapshot(db)
    for token in ("", "a-verifier-token"):  # webhooks off, then on
        app.config["QBO_WEBHOOK_VERIFIER_TOKEN"] = token
        response = client.open(url_for_rule(app, rule, world), method=method, data=b"[]",
                               headers={"Content-Type": "application/json"})
        assert response.status_code in (401, 404), (rule, token, response.status_code)
    assert snapshot(db) == before


def test_body_carries_the_token_for_htmx(client, login, csrf):
    login("owner")
    page = client.get("/clients").get_data(as_text=True)
    match = re.search(r"<body[^>]*hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page)
    assert match, "body has no hx-headers with the CSRF token"


def test_htmx_post_with_header_token_only_is_accepted(client, login, db, data):
    login("admin")
    page = client.get(f"/billing/batches/{data.north_draft.id}").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    response = client.post(f"/billing/batches/{data.north_draft.id}/finalize", data={"confirm": "y"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 303
    db.session.expire_all()
    assert data.north_draft.status == BatchStatus.FINALIZED


def test_token_signed_right_but_from_another_session_is_refused(app, client, login, db, data):
    from itsdangerous import URLSafeTimedSerializer

    login("admin")
    foreign = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("another-session")
    response = client.post(f"/billing/batches/{data.north_draft.id}/finalize",
                           data={"confirm": "y", "csrf_token": foreign})
    assert response.status_code == 400
    db.session.expire_all()
    assert data.north_draft.status == BatchStatus.DRAFT
