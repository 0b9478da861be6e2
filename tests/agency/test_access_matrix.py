"""Role enforcement on every route of the app, read from the URL map (so new routes are covered).

For every endpoint and method: anonymous → sent to sign in (401 + HX-Redirect for htmx); each role
→ 403 exactly when the view's access declaration leaves it out. A route whose URL needs an argument
not in helpers.URL_ARGUMENTS fails loudly: add the argument there, pointing at a fixture record.
"""
from __future__ import annotations

import pytest

from models import Role
from tests.agency.helpers import GUARDED, IGNORED_METHODS, ROLES, ROUTES, UNGUARDED, route_id, url_for_rule

def _send(client, method: str, url: str, token: str | None, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    if method == "GET":
        return client.get(url, headers=headers)
    if token:
        headers["X-CSRFToken"] = token
    return client.open(url, method=method, headers=headers, data={"csrf_token": token} if token else {})


def test_the_collected_routes_are_the_apps_routes(app):
    live = sorted((rule.endpoint, rule.rule, method) for rule in app.url_map.iter_rules()
                  for method in rule.methods - IGNORED_METHODS)
    assert live == ROUTES


def test_every_endpoint_declares_its_audience(app):
    undeclared = []
    for endpoint, view in app.view_functions.items():
        if endpoint in UNGUARDED:
            continue
        access = getattr(view, "access", None)
        valid = access == "public" or (isinstance(access, frozenset) and access
                                       and all(isinstance(role, Role) for role in access))
        if not valid:
            undeclared.append(endpoint)
    assert undeclared == [], "views without @public or @roles(...): " + ", ".join(undeclared)


def test_unguarded_endpoints_are_only_the_listed_ones_and_serve_public_files(app, client):
    assert set(UNGUARDED) <= set(app.view_functions)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    response.close()  # a static file response holds the file open until closed


@pytest.mark.parametrize("route", GUARDED, ids=route_id)
def test_anonymous_is_sent_to_sign_in(app, client, auth, world, route):
    endpoint, rule, method = route
    url = url_for_rule(app, rule, world)
    token = auth.csrf_token("/login")  # a valid token, so only the access rule decides
    access = getattr(app.view_functions[endpoint], "access", None)

    plain = _send(client, method, url, token)
    htmx = _send(client, method, url, token, htmx=True)
    if access == "public":
        assert plain.status_code not in (401, 403), plain.status_code
        assert "/login?" not in plain.headers.get("Location", "")
        return
    assert plain.status_code == 302, (url, plain.status_code)
    assert plain.headers["Location"].startswith("/login"), plain.headers["Location"]
    assert htmx.status_code == 401, (url, htmx.status_code)
    assert htmx.headers["HX-Redirect"].startswith("/login")


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
@pytest.mark.parametrize("route", GUARDED, ids=route_id)
def test_each_role_gets_exactly_what_the_declaration_allows(app, client, auth, csrf, world, route, role):
    endpoint, rule, method = route
    user = getattr(world.users, role.value)
    auth.login_as(user)
    url = url_for_rule(app, rule, world)
    token = csrf("/")
    access = getattr(app.view_functions[endpoint], "access", None)
    allowed = access == "public" or role in access

    response = _send(client, method, url, token)
    if allowed:
        assert response.status_code != 403, f"{role.value} refused {method} {url}"
        assert response.status_code < 500, f"{method} {url} as {role.value}: {response.status_code}"
        assert "/login?" not in response.headers.get("Location", "")
    else:
        assert response.status_code == 403, f"{role.value} got {response.status_code} on {method} {url}"
