"""Finding 6: numbers and dates a person can type into an address or a form are bounded. An id past
what the database holds, a page number of 10^30 or the date 9999-12-31 answer 400 with a plain
message, never 500, and change nothing."""
from __future__ import annotations

import re

import pytest

from tests.agency.helpers import ROUTES, snapshot

HUGE = str(2**64)      # past SQLite's 64-bit integers
PG_HUGE = str(2**31)   # past PostgreSQL's INTEGER columns
INT_ROUTES = [r for r in ROUTES if "<int:" in r[1]]

QUERY_STRINGS = [
    f"/clients?page={10**30}", f"/clients?office={10**30}",
    f"/billing/batches?page={10**30}", f"/billing/batches?office={HUGE}",
    "/billing/batches?from=9999-12-31&to=9999-12-31", "/billing/drafts?to=9999-12-31",
    f"/billing/drafts?page={'9' * 5000}",
    "/billing/exports?from=9999-12-31", "/billing/exports?to=9999-12-31", f"/billing/exports?user={HUGE}",
    f"/accounting/quickbooks/client-matching?page={10**30}",
    f"/accounting/quickbooks/client-matching?ppage={10**30}",
    f"/accounting/quickbooks/client-matching?office={HUGE}",
]


def _with_ids(rule: str, value: str) -> str:
    return re.sub(r"<int:\w+>", value, re.sub(r"<(?:string:)?\w+>", "client", rule))


def _assert_plain_400(response):
    body = response.get_data(as_text=True)
    assert response.status_code == 400, (response.status_code, body[:300])
    assert "too large" in body or "out of range" in body, body[:500]


@pytest.mark.parametrize("value", [HUGE, PG_HUGE], ids=["2^64", "2^31"])
@pytest.mark.parametrize("route", INT_ROUTES, ids=lambda r: f"{r[2]} {r[0]}")
def test_ids_too_large_for_the_database_answer_400(client, login, csrf, db, world, route, value):
    endpoint, rule, method = route
    login("owner")
    token = csrf("/")
    before = snapshot(db)
    url = _with_ids(rule, value)
    response = client.get(url) if method == "GET" else client.open(
        url, method=method, data={"csrf_token": token}, headers={"X-CSRFToken": token})
    _assert_plain_400(response)
    assert snapshot(db) == before


@pytest.mark.parametrize("url", QUERY_STRINGS)
def test_query_strings_out_of_range_answer_400(client, login, world, url):
    login("owner")
    _assert_plain_400(client.get(url))
    _assert_plain_400(client.get(url, headers={"HX-Request": "true"}))


def test_form_ids_out_of_range_answer_400_and_change_nothing(client, login, csrf, db, world):
    login("owner")
    token = csrf("/")
    before = snapshot(db)
    batch = world.data.north_final.id
    _assert_plain_400(client.post(f"/billing/batches/{batch}/export",
                                  data={"csrf_token": token, "invoice": [HUGE]}))
    assert snapshot(db) == before


def test_ordinary_values_still_work(client, login, world):
    login("owner")
    assert client.get("/clients?page=2&office=abc").status_code == 200
    assert client.get("/billing/batches?from=2026-01-01&to=2026-12-31&page=1").status_code == 200
    assert client.get("/billing/exports?from=2026-01-01&user=3").status_code == 200
    assert client.get(f"/billing/batches/{world.data.north_final.id}").status_code == 200


def test_a_request_body_above_the_limit_answers_413_with_a_message(app, client, login, csrf, db, world):
    import io

    login("owner")
    token = csrf("/clients/import")
    before = snapshot(db)
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit > 5 * 2**20  # above the CSV import limit, so that limit's own message shows first
    big = io.BytesIO(b"client_code\n" + b"x" * (limit + 1))
    response = client.post("/clients/import", data={"csrf_token": token, "file": (big, "big.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "limited to 8 MB" in response.get_data(as_text=True)
    assert snapshot(db) == before
