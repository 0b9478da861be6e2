"""Bounded numbers and dates from URLs, query strings and forms.

Python's ints and dates have no limits the database shares: an id past 2^31 overflows
PostgreSQL's INTEGER columns, past 2^63 SQLite's, and 9999-12-31 plus one day overflows `date`.
Everything a person can type into an address or a form goes through these helpers, and a value
out of range is a 400 with a plain message (never a 500). Junk that is not a number at all keeps
being ignored where the view ignored it (a filter left empty).
"""
from __future__ import annotations

from datetime import date

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1           # the id columns are 32-bit INTEGERs on PostgreSQL
MAX_PAGE = 1_000_000
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2199, 12, 31)
MAX_DIGITS = 12


class OutOfRange(BadRequest):
    """400 with a message the error page shows as it is."""


def bounded_int(text, maximum: int = MAX_ID, what: str = "number") -> int:
    """A non-negative int from `text`; ValueError for junk, OutOfRange past `maximum`."""
    text = str(text).strip()
    if not text.isdigit() or not text.isascii():
        raise ValueError(f"not a {what}")
    if len(text) > MAX_DIGITS or int(text) > maximum:
        raise OutOfRange(f"The {what} {text[:20]}{'…' if len(text) > 20 else ''} is too large "
                         f"(at most {maximum:,}). Check the address or the form.")
    return int(text)


def bounded_page(text) -> int:
    return bounded_int(text, MAX_PAGE, "page number")


def int_arg(name: str, maximum: int = MAX_ID, what: str = "number") -> int | None:
    """An id or number from the query string; None when missing or not a number."""
    try:
        return bounded_int(request.args.get(name, ""), maximum, what)
    except ValueError:
        return None


def page_arg(name: str = "page") -> int:
    return int_arg(name, MAX_PAGE, "page number") or 1


def ids(values) -> list[int]:
    """The ids among `values` (form lists), junk skipped, out-of-range refused."""
    found = []
    for value in values:
        try:
            found.append(bounded_int(value, MAX_ID, "id"))
        except ValueError:
            continue
    return found


def date_arg(name: str) -> date | None:
    """A YYYY-MM-DD date from the query string; None when missing or malformed."""
    try:
        value = date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None
    if not MIN_DATE <= value <= MAX_DATE:
        raise OutOfRange(f"The date {value.isoformat()} is out of range: use a date between "
                         f"{MIN_DATE.year} and {MAX_DATE.year}.")
    return value


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: ids past MAX_ID answer 400 instead of reaching the database."""

    def to_python(self, value: str) -> int:
        return bounded_int(value, MAX_ID, "id")


def install(app: Flask) -> None:
    """Before any blueprint is registered, so every `<int:>` rule uses the bounded converter."""
    app.url_map.converters["int"] = BoundedIntConverter
