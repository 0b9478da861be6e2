"""Issue 19's fault run as a test: the access token stops working mid-export and QuickBooks answers
401s besides, while the exporter sends several batches with several threads. Every request, the
resends after each 401 included, stays inside the per-second limit at the sandbox, and the
exporter provokes no 429 of its own. Counts, not timings: the sandbox's own throttle (tightened
to 3 requests a second, as the app's pacer) judges, and we count what it refused."""
from __future__ import annotations

from tests.export.conftest import (app_whose_token_expires_mid_export, run_jobs, seed_books, start_job,
                                   token_version, wait_for_token_expiry)
from tests.export.test_export_shared_pacing import _tight

PER_SECOND = 3


def _most_in_any_second(stamps: list[float]) -> int:
    stamps, most, first = sorted(stamps), 0, 0
    for last, at in enumerate(stamps):
        while at - stamps[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def test_token_expiry_and_401s_mid_export_stay_inside_the_limit_and_provoke_no_429(make_export_app,
                                                                                  sandbox_live):
    app = app_whose_token_expires_mid_export(
        lambda **extra: make_export_app(QBO_EXPORT_LIMIT_PER_SECOND=PER_SECOND, QBO_EXPORT_PACING_MARGIN=0.3,
                                        QBO_READ_TIMEOUT=30.0, **extra), sandbox_live)
    books = seed_books(app, sandbox_live.app, sandbox_live.base_url, invoices=180)  # 6 batches
    wait_for_token_expiry()
    gate = _tight(sandbox_live.app, per_second=PER_SECOND)
    knobs = sandbox_live.app.extensions["qbo_sandbox.knobs"]
    unauthorized = knobs.add_fault("error", status=401, operation="batch", times=2, skip=2)
    start_job(books)
    worker = run_jobs(books, threads=4, timeout=120)

    assert token_version(app) >= 2                               # the expired token was refreshed
    assert unauthorized.fired == 2                           # and the two extra 401s happened
    assert gate.refused == 0, f"{gate.refused} requests were answered 429"
    assert sum(e.stats["throttled"] for e in worker.engines) == 0
    assert _most_in_any_second(gate.allowed) <= PER_SECOND, gate.allowed
    books.assert_exactly_once()

