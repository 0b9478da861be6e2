"""When polls run: a scheduler thread per serving process, and one-shot checks on demand.

- **Scheduled**: every QBO_POLL_TICK_SECONDS the thread asks the database whether a check is
  due (none finished within QBO_POLL_SECONDS, or one was asked for since the last began) and, if
  so, polls; the lease makes one process win, so N processes still poll once per interval.
- **On demand** ("Check QuickBooks now", a webhook): `check_soon` records the request (any
  process's scheduler would see it) and runs a poll in a thread of this process right away, so
  the page or webhook answers at once and the work happens after.

Like the export worker, it starts with the first request served (`flask run`) or at once under
`wsgi.py`; never in CLI commands (`flask qbo poll` polls in the foreground), nor in TESTING
unless QBO_POLL_WORKER is "on".
"""
from __future__ import annotations

import logging
import math
import os
import threading
from datetime import datetime

from flask import Flask

from extensions import db
from models._types import utcnow
from services.payments import lease
from services.payments.poll import PollResult, poll_realm

log = logging.getLogger(__name__)
_KEY = "payments.poller"
_ONE_SHOTS = "payments.one_shots"


class Poller:
    def __init__(self, app: Flask):
        self.app = app
        self.pid = os.getpid()
        self.interval = float(app.config["QBO_POLL_SECONDS"])
        self.tick = float(app.config["QBO_POLL_TICK_SECONDS"])
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Poller":
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="qbo-poll", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def step(self) -> PollResult | None:
        """Poll if a poll is due. In an app context."""
        from services.qbo_connection import current_realm

        realm_id = current_realm(self.app)
        if not realm_id or not lease.is_due(realm_id, self.interval):
            return None
        return poll_realm(self.app)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                with self.app.app_context():
                    self.step()
                    db.session.remove()
            except Exception:  # noqa: BLE001 — the scheduler must survive anything
                log.exception("QuickBooks change check failed")
            self._stop.wait(self.tick)


def _run_once(app: Flask) -> None:
    """One check now; if another process is checking, wait for it to end and check after it
    (the person asked after that check began, so its answer may predate their change)."""
    import time

    try:
        with app.app_context():
            deadline = time.monotonic() + float(app.config["QBO_POLL_LEASE_SECONDS"])
            result = poll_realm(app)
            while result.realm_id and not result.ran and time.monotonic() < deadline:
                time.sleep(0.5)
                result = poll_realm(app)
            db.session.remove()
    except Exception:  # noqa: BLE001
        log.exception("QuickBooks change check failed")


def check_soon(app: Flask, realm_id: str) -> threading.Thread:
    """Ask for a check and start one in the background now. Returns its thread (tests join it)."""
    lease.request_poll(realm_id)
    thread = threading.Thread(target=_run_once, args=(app,), name="qbo-poll-now", daemon=True)
    shots = app.extensions.setdefault(_ONE_SHOTS, [])
    shots[:] = [t for t in shots if t.is_alive()] + [thread]
    thread.start()
    return thread


def background_checks(app: Flask) -> list[threading.Thread]:
    """The on-demand checks started in this process and still known (tests wait on them)."""
    return list(app.extensions.get(_ONE_SHOTS, []))


def enabled(app: Flask) -> bool:
    mode = str(app.config["QBO_POLL_WORKER"]).lower()
    return not (mode in ("off", "false", "0", "no") or (mode == "auto" and app.testing))


def start(app: Flask) -> Poller:
    found = app.extensions.get(_KEY)
    if found is None or found.pid != os.getpid():
        found = app.extensions[_KEY] = Poller(app)
    return found.start()


def start_if_enabled(app: Flask) -> Poller | None:
    return start(app) if enabled(app) else None


def start_with_first_request(app: Flask) -> None:
    if not enabled(app):
        return

    @app.before_request
    def _ensure_poller():
        found = app.extensions.get(_KEY)
        if found is None or found.pid != os.getpid():
            start(app)


# -- "Check QuickBooks now" --------------------------------------------------------------------
def pending(realm_id: str | None) -> bool:
    """A check is running, or was asked for and has not started yet."""
    state = lease.state_of(realm_id)
    if state is None:
        return False
    if lease.running(realm_id):
        return True
    return state.requested_at is not None and (state.last_started_at is None
                                               or state.requested_at > state.last_started_at)


def request_check(app: Flask, realm_id: str | None) -> tuple[bool, str]:
    """(a check is under way, what to tell the person). A press while a check runs (a double
    click, a second tab) joins that check instead of reading QuickBooks again."""
    if not realm_id:
        return False, "QuickBooks is not connected."
    if lease.running(realm_id):
        return True, "QuickBooks is being checked now."
    wait = seconds_until_next_check(app, realm_id)
    if wait > 0:
        return False, f"QuickBooks was checked less than a minute ago. You can check again in {wait} s."
    check_soon(app, realm_id)
    return True, "Checking QuickBooks…"


def seconds_until_next_check(app: Flask, realm_id: str, now: datetime | None = None) -> int:
    """Every check reads QuickBooks (metered CorePlus reads): a press within
    QBO_CHECK_MIN_GAP_SECONDS of a check that succeeded reuses its answer. A failed check may be
    retried at once."""
    state = lease.state_of(realm_id)
    gap = float(app.config.get("QBO_CHECK_MIN_GAP_SECONDS", 30))
    if state is None or state.last_ok_at is None or state.last_error or gap <= 0:
        return 0
    left = gap - ((now or utcnow()) - state.last_ok_at).total_seconds()
    return max(0, math.ceil(left))
