"""Shared pieces of the CSV imports: result types, reading and decoding a file into rows with their
physical line numbers, and cell parsers that record a `RowError` instead of raising.

Imports are all-or-nothing, so reading never stops at the first bad cell: every problem in the
file is collected, and only a file without any is written.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000


@dataclass(frozen=True, order=True)
class RowError:
    line: int  # physical line in the file; the header is line 1
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    ok: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    summary: str = ""

    @classmethod
    def failed(cls, errors: list[RowError]) -> ImportResult:
        errors = sorted(set(errors))
        bad_lines = len({e.line for e in errors})
        noun = "line has" if bad_lines == 1 else "lines have"
        return cls(ok=False, errors=errors,
                   summary=f"Nothing was imported: {bad_lines} {noun} problems ({len(errors)} in all).")


class ImportAborted(Exception):
    """The file cannot be read at all (encoding, size, header): no row is looked at."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


@dataclass
class Row:
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


# ---------------------------------------------------------------------------------------------
# Reading


def _read_text(stream) -> str:
    """The file as text: UTF-8 with or without a BOM; bytes or text streams both accepted."""
    try:
        data = stream.read(MAX_BYTES + 1)
    except UnicodeDecodeError:  # a text stream opened with an encoding that does not fit the file
        raise ImportAborted([RowError(1, None, "The file is not UTF-8 text. Save it as \"CSV UTF-8\".")])
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise ImportAborted([RowError(1, None, f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; "
                                               "split it into smaller files.")])
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportAborted([RowError(1, None, "The file is UTF-16 text (Excel \"Unicode Text\"); "
                                               "save it as \"CSV UTF-8\" instead.")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        raise ImportAborted([RowError(line, None, f"The file is not UTF-8 text (byte 0x{byte:02X} on this "
                                                  "line). Save it as \"CSV UTF-8\" and try again.")])


def normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def read_rows(stream, required: tuple[str, ...], optional: tuple[str, ...]) -> tuple[list[str], list[Row]]:
    """Header (normalised column names) and the non-blank data rows, each with its first line number.

    Raises ImportAborted for a file that cannot be read or whose header is unusable.
    """
    text = _read_text(stream)
    if not text.strip():
        raise ImportAborted([RowError(1, None, "The file is empty.")])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_line = 1
    rows: list[Row] = []
    errors: list[RowError] = []
    last_line = 0
    try:
        for record in reader:
            line, last_line = last_line + 1, reader.line_num  # a quoted cell may span several lines
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header, header_line = [normalise_header(c) for c in record], line
                _check_header(header, header_line, required, optional)
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportAborted([RowError(line, None, f"The file has more than {MAX_ROWS:,} rows; "
                                                          "split it into smaller files.")])
            if len(record) > len(header) and any(c.strip() for c in record[len(header):]):
                errors.append(RowError(line, None, f"This row has {len(record)} cells but the header has "
                                                   f"{len(header)} columns (an unquoted comma?)."))
                continue
            cells = [c.strip() for c in record] + [""] * (len(header) - len(record))
            rows.append(Row(line, dict(zip(header, cells))))
    except csv.Error as error:
        raise ImportAborted([RowError(last_line + 1, None, f"The file is not readable CSV from this line on "
                                                           f"({error}; a quote that is never closed?).")])
    if header is None:
        raise ImportAborted([RowError(1, None, "The file is empty.")])
    if not rows and not errors:
        raise ImportAborted([RowError(header_line, None, "The file has a header but no rows to import.")])
    if errors:
        raise ImportAborted(errors)
    return header, rows


def _check_header(header: list[str], line: int, required, optional) -> None:
    known = set(required) | set(optional)
    errors = []
    for name in required:
        if name not in header:
            errors.append(RowError(line, name, f"The header has no '{name}' column (it is required)."))
    seen = set()
    for name in header:
        if not name:
            errors.append(RowError(line, None, "A column in the header has no name."))
        elif name in seen:
            errors.append(RowError(line, name, f"The column '{name}' appears twice in the header."))
        elif name not in known:
            errors.append(RowError(line, name, f"Unknown column '{name}'. Known columns: "
                                               f"{', '.join((*required, *optional))}."))
        seen.add(name)
    if errors:
        raise ImportAborted(errors)


# ---------------------------------------------------------------------------------------------
# Cells

_NUMBER = re.compile(r"\d+(\.\d*)?|\.\d+")
_TRUE = {"yes", "y", "true", "t", "1", "x"}
_FALSE = {"no", "n", "false", "f", "0", ""}


class CellReader:
    """Parses one row's cells; each failure is recorded on `errors` and the value comes back None."""

    def __init__(self, row: Row, errors: list[RowError]):
        self.row = row
        self.errors = errors
        self._count_before = len(errors)

    @property
    def ok(self) -> bool:
        return len(self.errors) == self._count_before

    def fail(self, column: str | None, message: str) -> None:
        self.errors.append(RowError(self.row.line, column, message))

    def text(self, column: str, required: bool = False, max_length: int | None = None) -> str:
        value = self.row.get(column)
        if required and not value:
            self.fail(column, f"{column} is required.")
        elif max_length and len(value) > max_length:
            self.fail(column, f"{column} is longer than {max_length} characters.")
        return value

    def decimal(self, column: str, required: bool = False, places: int = 2) -> Decimal | None:
        raw = self.row.get(column)
        if not raw:
            if required:
                self.fail(column, f"{column} is required.")
            return None
        text = raw.replace("$", "").replace(",", "").replace(" ", "")
        negative = False
        if text.startswith("(") and text.endswith(")"):  # accounting style (12.50)
            text, negative = text[1:-1], True
        if text.startswith("-"):
            text, negative = text[1:], not negative
        elif text.startswith("+"):
            text = text[1:]
        if not _NUMBER.fullmatch(text):
            self.fail(column, f"'{raw}' is not a number.")
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only plain numbers
            self.fail(column, f"'{raw}' is not a number.")
            return None
        if -value.as_tuple().exponent > places and value != value.quantize(Decimal(1).scaleb(-places)):
            self.fail(column, f"'{raw}' has more than {places} decimal places.")
            return None
        if value >= Decimal(10) ** 7:
            self.fail(column, f"'{raw}' is too large.")
            return None
        return -value if negative else value

    def date(self, column: str, required: bool = False) -> date | None:
        raw = self.row.get(column)
        if not raw:
            if required:
                self.fail(column, f"{column} is required.")
            return None
        for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
            try:
                parsed = datetime.strptime(raw, pattern).date()
            except ValueError:
                continue
            if pattern == "%m/%d/%Y" and not re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", raw):
                break
            return parsed
        self.fail(column, f"'{raw}' is not a date (use YYYY-MM-DD or MM/DD/YYYY).")
        return None

    def time(self, column: str) -> time | None:
        raw = self.row.get(column)
        if not raw:
            return None
        match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?", raw)
        if match:
            hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
            meridiem = (match[4] or "").lower().replace(".", "")
            if meridiem and 1 <= hour <= 12:
                hour = hour % 12 + (12 if meridiem == "pm" else 0)
            elif meridiem or match[2] is None:
                hour = 99  # "13 pm" or a bare "9" (hour without minutes or am/pm) is not accepted
            if hour < 24 and minute < 60 and second < 60:
                return time(hour, minute, second)
        self.fail(column, f"'{raw}' is not a time of day (use HH:MM, e.g. 08:30 or 14:00, or 2:00 PM).")
        return None

    def boolean(self, column: str, default: bool) -> bool:
        raw = self.row.get(column)
        if not raw:
            return default
        value = raw.lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.fail(column, f"'{raw}' is not yes/no (use yes, no, true, false, 1 or 0).")
        return default


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
