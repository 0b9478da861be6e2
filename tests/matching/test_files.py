"""The file front end on the labelled set in tests/fixtures/matching: output layout and the issue's quality targets."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path


from services.matching.files import match_files, read_customers
from tests.shared_data import fixture_path

DATA = fixture_path("matching")
ROOT = Path(__file__).resolve().parents[2]


def _score(rows, truth_path):
    with open(truth_path, newline="") as fh:
        truth = {r["client_id"]: r["qbo_customer_id"] for r in csv.DictReader(fh)}
    auto = {r["client_id"]: r["qbo_customer_id"] for r in rows if r["status"] == "auto"}
    correct = sum(1 for c, q in auto.items() if q and truth.get(c) == q)
    return correct / len(auto), correct / sum(1 for q in truth.values() if q), auto


def test_shared_set_meets_targets():
    out = io.StringIO()
    match_files(str(DATA / "clients.csv"), str(DATA / "customers.json"), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    with open(DATA / "clients.csv", newline="") as fh:
        clients = list(csv.DictReader(fh))
    assert list(rows[0]) == ["client_id", "qbo_customer_id", "score", "status", "reason"]
    assert [r["client_id"] for r in rows] == [c["client_id"] for c in clients]
    precision, recall, auto = _score(rows, DATA / "truth.csv")
    assert precision >= 0.995 and recall >= 0.97
    given = [q for q in (r["qbo_customer_id"] for r in rows) if q]
    assert len(given) == len(set(given))
    inactive = {c["client_id"] for c in clients if c["status"] == "inactive"}
    assert all(r["status"] == "none" and not r["qbo_customer_id"] for r in rows if r["client_id"] in inactive)


def test_module_cli_prints_csv():
    res = subprocess.run([sys.executable, "-m", "services.matching", str(DATA / "clients.csv"),
                          str(DATA / "customers.json")], cwd=ROOT, capture_output=True, text=True, check=True)
    assert res.stdout.startswith("client_id,qbo_customer_id,score,status,reason\n")


def test_bare_list_of_customers_is_accepted(tmp_path):
    (tmp_path / "c.csv").write_text("client_id,first_name,last_name,status\nC1,Ann,Lee,active\n")
    (tmp_path / "q.json").write_text(json.dumps([{"Id": "5", "DisplayName": "Lee, Ann", "Active": True}]))
    out = io.StringIO()
    match_files(str(tmp_path / "c.csv"), str(tmp_path / "q.json"), out)
    assert out.getvalue().splitlines()[1].startswith("C1,5,")
    assert read_customers({"QueryResponse": {}}) == []


def test_output_cells_are_spreadsheet_safe(tmp_path):
    # A cell starting with = + - @ (or tab / carriage return) is a formula to Excel and LibreOffice:
    # the CSV written for a person to open must not run what a client or customer name carries.
    (tmp_path / "c.csv").write_text(
        "client_id,first_name,last_name,status\n"
        "=HYPERLINK(\"http://x\"),Ann,Lee,active\n"
        "@SUM(1+1),Bob,Ray,active\n"
        "+C3,Cy,Tan,active\n"
        "\tC4,Di,Fox,active\n")
    (tmp_path / "q.json").write_text(json.dumps([
        {"Id": "-5", "DisplayName": "Lee, Ann", "Active": True},
        {"Id": "7", "DisplayName": "=cmd|' /C calc'!A0 Ray", "Active": True}]))
    out = io.StringIO()
    match_files(str(tmp_path / "c.csv"), str(tmp_path / "q.json"), out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))[1:]
    assert [r[0] for r in rows] == ["'=HYPERLINK(\"http://x\")", "'@SUM(1+1)", "'+C3", "C4"]   # ids are trimmed
    assert rows[0][1] == "'-5"
    for row in rows:
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r", row


def test_plain_cells_are_written_unchanged():
    from services.matching.files import spreadsheet_safe
    assert [spreadsheet_safe(v) for v in ("C1001", "", "92", "same name; nickname Bob → Robert")] == \
        ["C1001", "", "92", "same name; nickname Bob → Robert"]
