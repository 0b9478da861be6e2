"""Clients CSV import: upsert by code, and every kind of bad file or row refused whole."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from models import Client
from services.imports import MAX_BYTES, import_clients_csv

EXAMPLE = Path(__file__).resolve().parents[2] / "demo_data" / "examples" / "clients.csv"
HEADER = "client_code,first_name,last_name,office,email,phone,active\n"


def _client(db, code):
    db.session.expire_all()
    return db.session.scalar(select(Client).where(Client.code == code))


def test_example_file_imports_and_keeps_names_exactly(db, reference_data):
    with open(EXAMPLE, "rb") as stream:
        result = import_clients_csv(stream, db.session)
    assert result.ok, result.errors
    assert (result.created, result.updated) == (3, 0)
    assert result.summary == "Imported 3 clients: 3 created, 0 updated, 0 unchanged."
    eloise = _client(db, "C0121")
    assert (eloise.first_name, eloise.last_name, eloise.address_line2) == ("Éloïse", "Gagnon-Roy", "Apt 3B")
    assert eloise.office.name == "Lakeside"
    ted = _client(db, "C0122")
    assert (ted.last_name, ted.suffix, ted.preferred_name, ted.address_line1) == \
        ("O'Callaghan", "Sr.", "Ted", "220 Broadway, Unit 4")
    assert _client(db, "C0123").office.name == "North Branch"  # office given by its code


def test_upsert_updates_existing_by_code_and_leaves_absent_columns_alone(db, reference_data, csv_file):
    existing = _client(db, "C0002")
    existing.city = "Malta"
    db.session.commit()
    result = import_clients_csv(csv_file(
        "Client Code,First Name,Last Name,Office,Email\n"          # headers are forgiving about case/spaces
        "c0002,Patrick,O'Brien,Lakeside,pat@example.com\n"          # code matched case-insensitively
        "C0001,Ana,Peña,Main Office,\n"                             # unchanged
        "C0200,Zoë,Van der Berg,LAKE,\n"), db.session)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    patrick = _client(db, "C0002")
    assert patrick.email == "pat@example.com" and patrick.city == "Malta"
    assert _client(db, "C0200").active is True


def test_utf8_with_bom_and_crlf_and_blank_lines_and_quoted_newline(db, reference_data):
    text = ("\ufeffclient_code,first_name,last_name,office,address_line1\r\n"
            "\r\n"
            'C0300,Siobhán,O\'Sullivan,Main Office,"12 Elm St\nRear door"\r\n'
            "C0301,José,Hernández,Main Office,\r\n")
    result = import_clients_csv(io.BytesIO(text.encode("utf-8")), db.session)
    assert result.ok, result.errors
    assert _client(db, "C0300").first_name == "Siobhán"
    assert _client(db, "C0300").address_line1 == "12 Elm St\nRear door"


def test_text_stream_is_accepted_too(db, reference_data):
    result = import_clients_csv(io.StringIO("\ufeff" + HEADER + "C0400,Ann,Lee,Main Office,,,\n"), db.session)
    assert result.ok and _client(db, "C0400").last_name == "Lee"


BAD_FILES = {
    "empty file": ("", 1, None, "empty"),
    "only blank lines": ("\n\n  \n", 1, None, "empty"),
    "header but no rows": (HEADER, 1, None, "no rows"),
    "missing required column": ("client_code,first_name,office\nC9,Ann,Main Office\n", 1, "last_name",
                                "no 'last_name' column"),
    "unknown column": ("client_code,first_name,last_name,office,emial\nC9,A,B,Main Office,x\n", 1, "emial",
                       "Unknown column"),
    "duplicate column": ("client_code,first_name,last_name,office,office\nC9,A,B,Main Office,Lakeside\n", 1,
                         "office", "appears twice"),
    "missing code": (HEADER + "C9,Ann,Lee,Main Office,,,\n,Bo,Ng,Main Office,,,\n", 3, "client_code", "required"),
    "missing last name": (HEADER + "C9,Ann,,Main Office,,,\n", 2, "last_name", "required"),
    "unknown office": (HEADER + "C9,Ann,Lee,Main Office,,,\nC10,Bo,Ng,Downtown,,,\n", 3, "office",
                       "Unknown office 'Downtown'"),
    "bad code": (HEADER + "C 9,Ann,Lee,Main Office,,,\n", 2, "client_code", "not a client code"),
    "duplicate code in file": (HEADER + "C9,Ann,Lee,Main Office,,,\nC10,Bo,Ng,Lakeside,,,\nc9,Cy,Ng,Lakeside,,,\n",
                               4, "client_code", "appears twice in the file (first on line 2)"),
    "bad email": (HEADER + "C9,Ann,Lee,Main Office,ann at example.com,,\n", 2, "email", "not an e-mail"),
    "bad active flag": (HEADER + "C9,Ann,Lee,Main Office,,,maybe\n", 2, "active", "not yes/no"),
    "too long": (HEADER + "C9,Ann,Lee,Main Office,,(518) 555-0100 ext 1234567890123,\n", 2, "phone",
                 "longer than 30"),
    "extra cells": (HEADER + "C9,Ann,Lee,Main Office,,,yes,surplus\n", 2, None, "8 cells"),
    "unterminated quote": (HEADER + 'C8,Al,Ng,Lakeside,,,\nC9,"Ann,Lee,Main Office,,,\n', 3, None, "not readable CSV"),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_file_imports_nothing_and_names_the_line(db, reference_data, csv_file, row_counts, case):
    text, line, column, fragment = BAD_FILES[case]
    before = row_counts()
    result = import_clients_csv(csv_file(text), db.session)
    assert not result.ok
    assert result.created == result.updated == 0
    assert result.summary.startswith("Nothing was imported")
    assert row_counts() == before
    matching = [e for e in result.errors if e.line == line and e.column == column]
    assert matching, result.errors
    if fragment:
        assert any(fragment in e.message for e in matching), result.errors


def test_good_rows_are_not_written_when_another_row_is_bad(db, reference_data, csv_file):
    result = import_clients_csv(csv_file(HEADER + "C0001,Changed,Name,Main Office,,,\n"
                                                  "C9,Ann,Lee,Nowhere,,,\n"), db.session)
    assert not result.ok
    assert _client(db, "C0001").first_name == "Ana"
    assert _client(db, "C9") is None


def test_every_bad_row_is_listed(db, reference_data, csv_file):
    result = import_clients_csv(csv_file(HEADER + "C1,Ann,,Main Office,,,\n"
                                                  "C2,Bo,Ng,Main Office,,,\n"
                                                  "C3,Cy,Ng,Nowhere,bad,,\n"), db.session)
    assert [(e.line, e.column) for e in result.errors] == [(2, "last_name"), (4, "email"), (4, "office")]
    assert "2 lines have problems" in result.summary


def test_wrong_encoding_is_refused_with_the_line(db, reference_data, csv_file, row_counts):
    before = row_counts()
    result = import_clients_csv(csv_file(HEADER + "C9,Ann,Lee,Main Office,,,\nC10,José,Pérez,Main Office,,,\n",
                                         encoding="latin-1"), db.session)
    assert not result.ok and row_counts() == before
    assert result.errors[0].line == 3 and "not UTF-8" in result.errors[0].message


def test_utf16_file_is_refused_with_advice(db, reference_data, csv_file):
    result = import_clients_csv(csv_file(HEADER + "C9,Ann,Lee,Main Office,,,\n", encoding="utf-16"), db.session)
    assert not result.ok and "UTF-16" in result.errors[0].message


def test_too_large_file_is_refused(db, reference_data, row_counts):
    row = "C9,Ann,Lee,Main Office,,,\n"
    big = io.BytesIO((HEADER + row * (MAX_BYTES // len(row) + 1)).encode())
    before = row_counts()
    result = import_clients_csv(big, db.session)
    assert not result.ok and row_counts() == before
    assert "larger than 5 MB" in result.errors[0].message


def test_too_many_rows_is_refused(db, reference_data, monkeypatch, csv_file):
    import services.imports.common as common

    monkeypatch.setattr(common, "MAX_ROWS", 3)
    rows = "".join(f"C{n},Ann,Lee,Main Office,,,\n" for n in range(10, 15))
    result = import_clients_csv(csv_file(HEADER + rows), db.session)
    assert not result.ok
    assert result.errors[0].line == 5 and "more than 3 rows" in result.errors[0].message
