"""Shared helpers for the page tests: the app's routes read from its URL map, URL building with
fixture ids, a whole-database snapshot, and CSRF token scraping."""
from __future__ import annotations

import re
import tempfile

import pytest
from sqlalchemy import select

from app import create_app
from models import Role

ROLES = [Role.OWNER, Role.ADMIN, Role.AGENCY_USER]
IGNORED_METHODS = {"HEAD", "OPTIONS"}

# Endpoints deliberately outside the access hook, with the reason. Nothing else may lack a declaration.
UNGUARDED = {"static": "public files (CSS/JS), served before the access hook"}

# State-changing endpoints without a CSRF token on purpose, with what authenticates them instead.
SIGNED_NOT_CSRF = {"webhooks.quickbooks": "Intuit's servers post it; the intuit-signature HMAC with the "
                   "verifier token authenticates it (tests/payments/test_webhooks.py)"}

# Rule argument name → a value for it, given the `world` fixture (tests/agency/conftest.py): the id of
# an existing record the Agency User may see (North office), or a valid string for non-id arguments.
# A new route with a new argument name fails the access tests until it is added here; if it needs a
# record the fixtures lack, create it in the lambda (e.g. `lambda w: make_thing(w).id`).
URL_ARGUMENTS = {
    "client_id": lambda w: w.data.ann.id,
    "caregiver_id": lambda w: w.data.grace.id,
    "batch_id": lambda w: w.data.north_draft.id,
    "invoice_id": lambda w: w.data.inv1.id,
    "user_id": lambda w: w.spare_user.id,
    # Client Matching: a client row, and a pending "Add to QuickBooks" creation (none exists: the
    # allowed roles get a 404, which still proves the gate let them through).
    "kind": lambda w: "client",
    "subject_id": lambda w: w.data.ann.id,
    "payer_id": lambda w: w.data.insurer.id,   # a "Clients under payers" row: (client, payer)
    "creation_id": lambda w: 999999,
    # A company switch waiting for confirmation (none exists here: same reasoning).
    "state_id": lambda w: 999999,
    # An export run to undo (none exists here: same reasoning).
    "job_id": lambda w: 999999,
}


def _routes():
    """(endpoint, rule, method) for every route, from an app built the way the fixtures build it."""
    instance = tempfile.mkdtemp(prefix="careledger-urlmap-")
    app = create_app({"TESTING": True, "SECRET_KEY": "collect", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "QBO_SANDBOX_ENABLED": False, "INSTANCE_PATH": instance})
    return sorted((rule.endpoint, rule.rule, method)
                  for rule in app.url_map.iter_rules()
                  for method in rule.methods - IGNORED_METHODS)


ROUTES = _routes()
GUARDED = [r for r in ROUTES if r[0] not in UNGUARDED]


def route_id(route):
    return f"{route[2]} {route[0]}"


def url_for_rule(app, rule_text: str, world) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.rule == rule_text)
    values = {}
    for name in sorted(rule.arguments - set(rule.defaults or {})):
        if name not in URL_ARGUMENTS:
            pytest.fail(f"Route {rule.rule} ({rule.endpoint}) takes <{name}>, which the access test "
                        f"does not know: add '{name}' to URL_ARGUMENTS in tests/agency/helpers.py.")
        values[name] = URL_ARGUMENTS[name](world)
    return rule.build(values, append_unknown=False)[1]


def snapshot(db) -> dict:
    """Every row of every table, to assert that a refused request changed nothing."""
    result = {}
    for table in db.metadata.sorted_tables:
        if table.name == "login_attempts":
            continue  # sign-ins are recorded by design; they are not the data under test
        rows = db.session.execute(select(table)).all()
        result[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    db.session.expire_all()
    return result


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)
