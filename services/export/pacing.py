"""Pacing requests to one QuickBooks company (realm) so the exporter stays inside Intuit's limits.

Intuit states its limits as counts per window (PROTOCOL §7): 10 requests per second, 500 per
minute, 40 batch requests per minute per realm and app. A limiter that never lets more than N
requests start in any window of W seconds (a sliding log of start times) respects such a limit
however the server counts it — fixed or sliding windows — whereas a token bucket with a burst
allowance can put burst + rate·W requests into one window and provoke the very 429s we avoid.
So each rule is a sliding log. RealmPacer keeps the log in memory (one process); the exporter
uses shared_pacing.SharedRealmPacer, which keeps it in the database for every process.

On a 429 the whole realm pauses for Retry-After (Intuit documents 60 s when absent).
A small margin on each window absorbs the gap between our send time and the server's arrival
time, which varies with network latency.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    limit: int
    window: float  # seconds


# Intuit's published limits (requests count against GENERAL; a batch counts against both).
GENERAL_RULES = (Rule(10, 1.0), Rule(500, 60.0))
BATCH_RULES = (Rule(40, 60.0),)


class _Log:
    def __init__(self, rule: Rule, margin: float):
        self.limit = rule.limit
        self.window = rule.window + margin
        self.starts: deque[float] = deque()

    def wait_needed(self, now: float) -> float:
        while self.starts and now - self.starts[0] >= self.window:
            self.starts.popleft()
        if len(self.starts) < self.limit:
            return 0.0
        return self.window - (now - self.starts[0])


def pacing_from_config(config) -> dict:
    """Pacer options from the app config: Intuit's published limits unless the operator (or a
    test) states others, and the margin added to each window (send time vs arrival time)."""
    per_second = int(config["QBO_EXPORT_LIMIT_PER_SECOND"])
    per_minute = int(config["QBO_EXPORT_LIMIT_PER_MINUTE"])
    batch_per_minute = int(config["QBO_EXPORT_BATCH_LIMIT_PER_MINUTE"])
    return {"general": (Rule(per_second, 1.0), Rule(per_minute, 60.0)),
            "batch": (Rule(batch_per_minute, 60.0),),
            "margin": float(config["QBO_EXPORT_PACING_MARGIN"])}


def wait_for(starts: list[tuple[float, bool]], now: float, general, batch, is_batch: bool,
             margin: float) -> float:
    """Seconds until a request may start, given earlier request starts (time, was_batch) sorted
    oldest first: for each rule, once `limit` starts lie in the window, the oldest of the last
    `limit` must leave it first. Pure; the database-backed pacer calls it."""
    rules = [(rule, False) for rule in general] + ([(rule, True) for rule in batch] if is_batch else [])
    wait = 0.0
    for rule, batch_only in rules:
        window = rule.window + margin
        inside = [t for t, was_batch in starts if now - t < window and (was_batch or not batch_only)]
        if len(inside) >= rule.limit:
            wait = max(wait, inside[len(inside) - rule.limit] + window - now)
    return wait


class RealmPacer:
    """Blocks callers until a request to this realm may start; thread-safe."""

    def __init__(self, general=GENERAL_RULES, batch=BATCH_RULES, margin: float = 0.15,
                 clock=time.monotonic, sleep=time.sleep):
        self._general = [_Log(r, margin) for r in general]
        self._batch = [_Log(r, margin) for r in batch]
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self._clock = clock
        self._sleep = sleep
        self.waited = 0.0      # total seconds callers spent waiting (for the benchmark)
        self.throttled = 0     # 429s reported

    def acquire(self, is_batch: bool = False) -> None:
        logs = self._general + (self._batch if is_batch else [])
        while True:
            with self._lock:
                now = self._clock()
                wait = max([self._paused_until - now] + [log.wait_needed(now) for log in logs])
                if wait <= 0:
                    for log in logs:
                        log.starts.append(now)
                    return
            self.waited += wait
            self._sleep(min(wait, 1.0))

    def pause(self, seconds: float) -> None:
        """A 429 arrived: nobody sends to this realm for `seconds`."""
        with self._lock:
            self.throttled += 1
            self._paused_until = max(self._paused_until, self._clock() + max(seconds, 0.0))


def lower_bound_seconds(invoices: int, latency: float, batch_size: int = 30,
                        batch_per_minute: int = 40, per_second: int = 10,
                        concurrency: int = 10, smooth: bool = True) -> float:
    """The fastest any exporter could send `invoices` under these limits and this latency.

    smooth=True spreads the batch requests evenly at the per-minute rate (the issue's figure:
    34 batches at 40/min ≈ 50 s); smooth=False allows the whole minute's allowance at once,
    which a sliding-window limit permits when fewer than `batch_per_minute` batches are needed.
    """
    batches = -(-invoices // batch_size)
    if smooth:
        spacing = 60.0 / batch_per_minute
        return (batches - 1) * spacing + latency
    full_minutes, rest = divmod(batches, batch_per_minute)
    burst = -(-rest // per_second) * 1.0 if rest else 0.0
    return full_minutes * 60.0 + max(burst, latency) + latency
