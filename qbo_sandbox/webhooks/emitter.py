"""Delivers entity changes to webhook endpoints the way Intuit does (PROTOCOL.md §11).

Per target URL: events wait in `pending`; a delivery takes all of them (from every company) as
one signed POST; until that delivery is acknowledged (any 2xx) it is retried unchanged on
Intuit's schedule (0, 10, 20, 30 s, 5 min, 20 min, 2 h, 4 h, 6 h, then every 6 h) and later events
are held back. `time_compression` divides every wait (1000 → the 10 s retry comes after 10 ms);
`advance(seconds)` moves the emitter's own clock, so a test can walk the schedule without
waiting. A background thread delivers while there is work and ends when there is none;
`flush()` delivers what is due in the caller's thread (the same lock, never twice), and
`close()` stops the thread for good.
"""
from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from qbo_sandbox.webhooks.envelope import Event, body_for, sign

RETRY_SCHEDULE = (0, 10, 20, 30, 300, 1200, 7200, 14400, 21600)  # then every 6 h
CONTENT_TYPES = ("application/json", "application/cloudevents+json")
FORMATS = ("cloudevents", "legacy")
LOG_LIMIT = 1000


@dataclass
class Settings:
    enabled: bool = False
    urls: list = field(default_factory=list)
    verifier_token: str = ""
    content_type: str = "application/json"
    format: str = "cloudevents"
    time_compression: float = 1.0
    timeout_seconds: float = 3.0       # Intuit wants the answer within 3 s
    background: bool = True
    entities: list | None = None       # None = every entity

    def check(self) -> None:
        if self.content_type not in CONTENT_TYPES:
            raise ValueError(f"content_type is one of {CONTENT_TYPES}")
        if self.format not in FORMATS:
            raise ValueError(f"format is one of {FORMATS}")
        if not self.time_compression > 0:
            raise ValueError("time_compression must be greater than 0")
        if any(not str(u).startswith(("http://", "https://")) for u in self.urls):
            raise ValueError("every webhook URL must start with http:// or https://")

    def public(self) -> dict:
        """The settings without the verifier token (it is a secret)."""
        out = {k: v for k, v in self.__dict__.items() if k != "verifier_token"}
        out["urls"] = list(self.urls)
        out["verifier_token_set"] = bool(self.verifier_token)
        return out


@dataclass
class Target:
    url: str
    pending: list = field(default_factory=list)
    inflight: list | None = None   # the delivery not yet acknowledged (retried unchanged)
    body: bytes = b""
    failures: int = 0
    due_at: float | None = None    # on the emitter's clock

    def idle(self) -> bool:
        return self.inflight is None and not self.pending


def retry_delay(failures: int) -> int:
    """Seconds (uncompressed) before the retry that follows the `failures`-th failure."""
    return RETRY_SCHEDULE[min(failures, len(RETRY_SCHEDULE)) - 1]


def post(url: str, body: bytes, headers: dict, timeout: float) -> int | None:
    """The HTTP status, or None when the endpoint could not be reached or was too slow."""
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code
    except (OSError, ValueError):
        return None


class Emitter:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.settings.check()
        self._defaults = Settings(**{**self.settings.__dict__, "urls": list(self.settings.urls)})
        self._targets: dict[str, Target] = {}
        self._cond = threading.Condition()
        self._deliver_lock = threading.Lock()  # one delivery at a time, thread or flush()
        self._offset = 0.0                      # advance() moves the clock forward
        self._thread: threading.Thread | None = None
        self._closed = False
        self.log: list[dict] = []

    # --- settings ----------------------------------------------------------------------------
    def configure(self, **values) -> None:
        unknown = set(values) - set(Settings.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown webhook settings: {sorted(unknown)}")
        candidate = Settings(**{**self.settings.__dict__, **values})
        candidate.urls = [str(u) for u in candidate.urls]
        candidate.check()
        with self._cond:
            self.settings = candidate
            for url in list(self._targets):
                if url not in candidate.urls:
                    del self._targets[url]  # an unregistered endpoint gets nothing more
            self._cond.notify_all()

    def reset(self) -> None:
        with self._deliver_lock, self._cond:
            self.settings = Settings(**{**self._defaults.__dict__, "urls": list(self._defaults.urls)})
            self._targets.clear()
            self.log.clear()
            self._offset = 0.0
            self._cond.notify_all()

    # --- clock -------------------------------------------------------------------------------
    def now(self) -> float:
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the emitter's clock `seconds` of Intuit time (divided by time_compression)."""
        with self._cond:
            self._offset += float(seconds) / self.settings.time_compression
            self._cond.notify_all()

    # --- queueing ------------------------------------------------------------------------------
    def publish(self, events: list[Event]) -> None:
        s = self.settings
        if not s.enabled or not s.urls or self._closed:
            return
        wanted = [e for e in events if s.entities is None or e.entity in s.entities]
        if not wanted:
            return
        with self._cond:
            for url in s.urls:
                target = self._targets.setdefault(url, Target(url))
                target.pending.extend(wanted)
                if target.inflight is None and target.due_at is None:
                    target.due_at = self.now()
            self._cond.notify_all()
            if s.background:
                self._start_thread()

    def pending(self) -> dict:
        """Per URL: events waiting, events in the unacknowledged delivery, failures so far."""
        with self._cond:
            return {url: {"pending": len(t.pending), "inflight": len(t.inflight or []),
                          "failures": t.failures} for url, t in self._targets.items()}

    # --- delivery ------------------------------------------------------------------------------
    def flush(self) -> list[dict]:
        """Deliver, in this thread, every delivery that is due now; returns their log entries."""
        done = []
        while True:
            target = self._next_due()
            if target is None:
                return done
            entry = self._attempt(target)
            if entry:
                done.append(entry)

    def _next_due(self) -> Target | None:
        with self._cond:
            now = self.now()
            due = [t for t in self._targets.values() if t.due_at is not None and t.due_at <= now
                   and not t.idle()]
            return min(due, key=lambda t: t.due_at) if due else None

    def _attempt(self, target: Target) -> dict | None:
        with self._deliver_lock:
            with self._cond:
                if target.idle() or target.due_at is None or target.due_at > self.now():
                    return None  # the other deliverer got there first
                if target.inflight is None:
                    target.inflight, target.pending = target.pending, []
                    target.body = body_for(target.inflight, target.url, self.settings.format)
                body, events, s = target.body, target.inflight, self.settings
            headers = {"Content-Type": s.content_type, "intuit-signature": sign(body, s.verifier_token),
                       "User-Agent": "qbo-sandbox-webhooks"}
            status = post(target.url, body, headers, s.timeout_seconds)
            return self._record(target, events, status)

    def _record(self, target: Target, events: list[Event], status: int | None) -> dict:
        with self._cond:
            ok = status is not None and 200 <= status < 300
            entry = {"url": target.url, "status": status, "ok": ok, "attempt": target.failures + 1,
                     "event_ids": [e.id for e in events],
                     "realms": sorted({e.realm_id for e in events})}
            if ok:
                target.inflight, target.body, target.failures = None, b"", 0
                target.due_at = self.now() if target.pending else None
            else:
                target.failures += 1
                delay = retry_delay(target.failures)
                entry["retry_in"] = delay
                target.due_at = self.now() + delay / self.settings.time_compression
            self.log.append(entry)
            del self.log[:-LOG_LIMIT]
            self._cond.notify_all()
            return entry

    # --- the background thread -----------------------------------------------------------------
    def _start_thread(self) -> None:  # called with self._cond held
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="qbo-sandbox-webhooks", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._closed or not self.settings.background:
                    return
                live = [t for t in self._targets.values() if not t.idle() and t.due_at is not None]
                if not live:
                    self._thread = None
                    return  # nothing to deliver: the thread ends; publish() starts another
                wait = min(t.due_at for t in live) - self.now()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
            self.flush()

    @property
    def thread_alive(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def close(self, timeout: float = 5.0) -> None:
        """Stop delivering for good and wait for the thread to end."""
        with self._cond:
            self._closed = True
            thread = self._thread
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
