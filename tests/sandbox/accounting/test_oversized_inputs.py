"""Inputs far out of range get QuickBooks' Fault (4001 for a query, 2030 for an Id), never a 500."""
from __future__ import annotations

import pytest

from tests.fixtures.sandbox import build_app, make_api

HUGE = "9" * 25


@pytest.fixture
def api(tmp_path):
    # TESTING off: an unexpected exception becomes the 500 a client would see instead of a raise.
    client = make_api(build_app(tmp_path, TESTING=False))
    yield client
    client.http.close()


def _fault(response) -> dict:
    assert response.status_code == 400, response.text
    return response.json()["Fault"]["Error"][0]


@pytest.mark.parametrize("tail", [f"STARTPOSITION {HUGE}", f"MAXRESULTS {HUGE}",
                                  "STARTPOSITION 2147483648 MAXRESULTS 10"])
def test_positions_beyond_a_32_bit_integer_are_a_4001(api, tail):
    error = _fault(api.query(f"SELECT * FROM Customer {tail}"))
    assert error["code"] == "4001" and "too large" in error["Detail"]


def test_two_thousand_ands_are_a_4001(api):
    text = "SELECT * FROM Customer WHERE " + " AND ".join(["Id > '0'"] * 2000)
    for method in ("GET", "POST"):
        error = _fault(api.query(text, method=method))
        assert error["code"] == "4001" and "conditions" in error["Detail"]


def test_two_hundred_ands_still_run(api):
    text = "SELECT * FROM Customer WHERE " + " AND ".join(["Id > '0'"] * 200)
    assert api.query(text).status_code == 200


def test_a_huge_id_in_a_where_clause_matches_nothing(api):
    assert api.rows(f"SELECT * FROM Customer WHERE Id = '{HUGE}'") == []
    assert api.rows(f"SELECT * FROM Customer WHERE Id IN ('1', '{HUGE}')") == []


def test_huge_ids_in_urls_and_bodies_are_invalid_ids(api):
    assert _fault(api.get(f"customer/{HUGE}"))["code"] == "2030"
    update = api.post("customer", {"Id": HUGE, "SyncToken": "0", "DisplayName": "Nobody"})
    assert _fault(update)["code"] == "2030"
    ref = api.post("invoice", {"CustomerRef": {"value": HUGE}, "Line": [
        {"Amount": 1, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]})
    assert ref.status_code == 400 and ref.json()["Fault"]["Error"][0]["code"] != "500"
