"""Intuit's read metering (App Partner Program, PROTOCOL.md §11): CorePlus calls counted per realm
and calendar month (UTC, on the sandbox clock, so advancing the clock turns the month).

Reads (CorePlus): queries, reads by id, CompanyInfo, Preferences, CDC, reports, and the queries
inside a batch. Writes (Core): creates, updates, deletes, voids. Only successful (200) calls count,
as Intuit meters only those. With a cap (config COREPLUS_CAP, `--coreplus-cap N`, knob
`coreplus_cap`; None = no cap) every read past it answers 429 until the month turns; writes go on.
Intuit's cap is per developer workspace; a sandbox has one app, so per realm is the useful test.
"""
from __future__ import annotations

import threading

from qbo_sandbox import clock


def month_key() -> str:
    now = clock.utcnow()
    return f"{now.year:04d}-{now.month:02d}"


class Usage:
    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], dict[str, int]] = {}

    def _row(self, realm_id: str) -> dict[str, int]:
        return self._counts.setdefault((month_key(), str(realm_id)), {"reads": 0, "writes": 0})

    def add(self, realm_id: str, reads: int = 0, writes: int = 0) -> None:
        with self._lock:
            row = self._row(realm_id)
            row["reads"] += reads
            row["writes"] += writes

    def reads_left(self, realm_id: str, cap: int | None) -> bool:
        if cap is None:
            return True
        with self._lock:
            return self._row(realm_id)["reads"] < cap

    def this_month(self) -> dict:
        month = month_key()
        with self._lock:
            return {"month": month, "realms": {realm: dict(row) for (m, realm), row in self._counts.items()
                                               if m == month}}

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()


def is_read(method: str, rest: str) -> bool:
    """A CorePlus call: any GET, and a query sent as POST."""
    head = rest.split("/")[0]
    return method == "GET" or head == "query"


def batch_counts(items: list) -> tuple[int, int]:
    """(reads, writes) of a batch: its Query items are reads, the rest writes (UNCONFIRMED)."""
    reads = sum(1 for item in items if isinstance(item, dict) and "Query" in item)
    return reads, len(items) - reads
