"""The exporter's pacer admits each request at the moment it is sent (issue 19): after the
records are marked and the audit written, after any token refresh, and once for every request
that reaches QuickBooks, the resend after a 401 included. Taking a slot before that local work
let requests bunch up at Intuit (11-12 in one second) and provoke the exporter's own 429s."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from extensions import db
from models.export import ExportEvent
from services.export.shared_pacing import SharedPacers
from services.export.worker import pacing_from_config
from tests.export.conftest import (app_whose_token_expires_mid_export, run_jobs, seed_books,
                                   start_job, token_version, wait_for_token_expiry)


class RecordingPacers:
    """The real shared pacers, noting at each admission how many sends the audit already shows."""

    def __init__(self, app):
        self.app = app
        self.real = SharedPacers(**pacing_from_config(app.config))
        self.admissions: list[tuple[bool, int]] = []
        self._lock = threading.Lock()

    def for_realm(self, realm_id: str):
        real, outer = self.real.for_realm(realm_id), self

        class Recording:
            def acquire(self, is_batch: bool = False) -> None:
                with db.engine.connect() as connection:  # what other connections can see
                    sent = connection.scalar(select(func.count()).select_from(ExportEvent)
                                             .where(ExportEvent.action == "sent"))
                with outer._lock:
                    outer.admissions.append((is_batch, sent))
                real.acquire(is_batch)

            def __getattr__(self, name):
                return getattr(real, name)

        return Recording()


class RequestCounter:
    """Counts Accounting API requests arriving at the sandbox (whatever their answer)."""

    def __init__(self, sandbox_app):
        self.count = 0
        inner = sandbox_app.wsgi_app

        def counting(environ, start_response):
            if "/v3/company/" in environ.get("PATH_INFO", ""):
                self.count += 1
            return inner(environ, start_response)

        sandbox_app.wsgi_app = counting


def test_every_request_is_admitted_after_the_local_writes_and_the_401_resend_too(
        make_export_app, sandbox_live):
    app = app_whose_token_expires_mid_export(make_export_app, sandbox_live)
    books = seed_books(app, sandbox_live.app, sandbox_live.base_url, invoices=40)  # two batches
    wait_for_token_expiry()
    requests = RequestCounter(sandbox_live.app)
    pacers = RecordingPacers(app)
    start_job(books)
    with app.app_context():
        run_jobs(books, threads=1, pacers=pacers)
    sent_by_exporter = requests.count           # before the test's own look at QuickBooks
    books.assert_exactly_once()
    assert token_version(app) >= 2                            # the 401 really happened

    assert len(pacers.admissions) == sent_by_exporter        # nothing reached QuickBooks unpaced
    batch_admissions = [sent for is_batch, sent in pacers.admissions if is_batch]
    assert len(batch_admissions) >= 3                         # 2 batches + the refreshed resend
    # The first batch is admitted only once its 30 sends are on record (never before the writes).
    assert batch_admissions[0] >= 30
    assert batch_admissions == sorted(batch_admissions)
