"""`flask qbo match-file` on the labelled set in tests/fixtures/matching: one CSV row per client, engine's output."""
from __future__ import annotations

import csv
import io

import pytest

from services.matching.files import match_files
from tests.shared_data import fixture_path

DATA = str(fixture_path("matching"))


@pytest.fixture
def files():
    return f"{DATA}/clients.csv", f"{DATA}/customers.json"


def test_prints_a_row_for_every_client(runner, files):
    result = runner.invoke(args=["qbo", "match-file", *files])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    with open(files[0], newline="", encoding="utf-8-sig") as fh:
        client_ids = [r["client_id"] for r in csv.DictReader(fh)]
    assert [r["client_id"] for r in rows] == client_ids
    assert list(rows[0]) == ["client_id", "qbo_customer_id", "score", "status", "reason"]
    assert {r["status"] for r in rows} <= {"auto", "review", "none"}
    expected = io.StringIO()
    match_files(*files, expected)
    assert result.stdout == expected.getvalue()


def test_missing_file_is_an_error(runner, files, tmp_path):
    result = runner.invoke(args=["qbo", "match-file", str(tmp_path / "nope.csv"), files[1]])
    assert result.exit_code != 0 and "does not exist" in result.output
