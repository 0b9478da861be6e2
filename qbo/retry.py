"""Bounded retries with capped exponential back-off and full jitter, only where repeating is safe.

Safe means: a read or query (no side effect), or a write that carries a requestid (QBO answers
a repeated requestid with the original response instead of executing it again, PROTOCOL §2).
A write without a requestid is repeated only when it surely never reached QuickBooks
(a connection that was refused, `ambiguous=False`).
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable

from qbo.errors import QboError, ThrottledError, TransientError


def backoff_ceiling(retry_number: int, base: float, cap: float) -> float:
    """Capped exponential back-off, the one formula: min(cap, base·2^n) for retry n (0-based).
    Callers add their own jitter below it."""
    return min(cap, base * (2 ** retry_number))


@dataclass
class RetryPolicy:
    max_attempts: int = 4            # the first try plus three retries
    base_delay: float = 0.5          # seconds before the first retry (before jitter)
    max_delay: float = 8.0           # cap for one back-off wait
    max_throttle_wait: float = 60.0  # longest we honour a 429's wait; longer → give up now
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    random: Callable[[], float] = field(default=random.random, repr=False)

    def backoff(self, retry_number: int) -> float:
        """Full jitter: uniform in [0, min(cap, base·2^n)] so clients do not retry in step."""
        return backoff_ceiling(retry_number, self.base_delay, self.max_delay) * self.random()

    def delay_for(self, error: QboError, retry_number: int, *, safe: bool) -> float | None:
        """Seconds to wait before retry number `retry_number` (0-based), or None to give up."""
        if retry_number + 1 >= self.max_attempts:
            return None
        if isinstance(error, ThrottledError):
            if not safe or error.retry_after > self.max_throttle_wait:
                return None
            # Wait what QuickBooks asked, plus a little jitter so waiting workers spread out.
            return error.retry_after + self.random() * self.base_delay
        if isinstance(error, TransientError):
            if safe or not error.ambiguous:
                return self.backoff(retry_number)
        return None

    def run(self, attempt: Callable[[], object], *, safe: bool,
            on_retry: Callable[[QboError, float], None] | None = None):
        """Call `attempt()` until it returns, retrying what `delay_for` allows."""
        retry_number = 0
        while True:
            try:
                return attempt()
            except (TransientError, ThrottledError) as error:
                delay = self.delay_for(error, retry_number, safe=safe)
                if delay is None:
                    raise
                if on_retry:
                    on_retry(error, delay)
                self.sleep(delay)
                retry_number += 1


NO_RETRY = RetryPolicy(max_attempts=1)
