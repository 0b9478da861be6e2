"""Every client `connected_client` hands out paces its requests to Intuit's per-company limits
(10 a second, PROTOCOL §7), so a page that reads several lists in a row (Sync Settings after the
pop-up closes, then Client Matching reading the customers) never provokes a 429 — whose Retry-After
of 60 s would hang the page. The sandbox here counts requests with Intuit's limits switched on."""
from __future__ import annotations

import threading

from qbo.retry import NO_RETRY
from services.qbo_connection import connected_client
from tests.export.conftest import books, export_app, make_export_app, sandbox_live  # noqa: F401  (fixtures)


def test_a_burst_of_reads_stays_inside_the_per_second_limit(books):
    with books.app.app_context():
        client = connected_client(retries=False)   # a 429 would raise at once
        assert client.retry is NO_RETRY
        for _ in range(25):
            client.company_info()


def test_threads_of_one_process_share_the_pace(books):
    errors: list[Exception] = []

    def read_five():
        with books.app.app_context():
            client = connected_client(retries=False)
            try:
                for _ in range(5):
                    client.preferences()
            except Exception as error:   # noqa: BLE001 - collected and asserted below
                errors.append(error)

    threads = [threading.Thread(target=read_five) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
