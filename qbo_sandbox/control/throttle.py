"""Intuit's rate limits (PROTOCOL.md §7) as sliding windows held in memory per sandbox app."""
from __future__ import annotations

import threading
import time
from collections import deque

DEFAULT_LIMITS = {
    "per_realm_per_minute": 500,
    "per_realm_app_per_second": 10,
    "batch_per_realm_app_per_minute": 40,
    "batch_per_realm_per_minute": 120,
}


class Throttle:
    def __init__(self):
        self._lock = threading.Lock()
        self._windows: dict[tuple, deque] = {}

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()

    def allow(self, limits: dict, realm_id: str, client_id: str | None, is_batch: bool) -> bool:
        """Count this request if every window has room; False means answer 429."""
        now = time.monotonic()
        checks = [
            (("realm", realm_id), 60.0, limits["per_realm_per_minute"]),
            (("realm-app-s", realm_id, client_id), 1.0, limits["per_realm_app_per_second"]),
        ]
        if is_batch:
            checks += [
                (("batch-app", realm_id, client_id), 60.0, limits["batch_per_realm_app_per_minute"]),
                (("batch", realm_id), 60.0, limits["batch_per_realm_per_minute"]),
            ]
        with self._lock:
            windows = []
            for key, span, limit in checks:
                window = self._windows.setdefault(key, deque())
                while window and now - window[0] >= span:
                    window.popleft()
                if len(window) >= limit:
                    return False
                windows.append(window)
            for window in windows:
                window.append(now)
            return True
