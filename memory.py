"""Keep a long-running worker's memory near its resting size after heavy pages.

What held the memory (measured with bench/memory_bench.py): not the app's caches (each is
bounded) nor SQLAlchemy's identity map (one session per request, removed at its end), but glibc's
allocator. Every thread that allocates gets an arena of its own, up to 8 per core, and a page of
100 KB of HTML or 1,000 rows leaves its freed chunks in that thread's arena, where they stay
resident. Two settings, both process-wide and applied once per process by `install(app)`:

- MALLOC_ARENA_MAX (default 2): the arenas the request threads share. Fewer arenas, far less
  memory kept in free lists, no measurable cost at 4 threads per worker.
- MEMORY_TRIM_GROWTH_MB (default 16): once the process's resident size has grown this much since
  the last look, glibc is asked to hand free memory back to the system (malloc_trim), after the
  response has been sent. Reading the resident size costs ~20 µs a request.

On a system without glibc (musl, macOS) both are skipped: nothing else changes.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading

from flask import Flask

_M_ARENA_MAX = -8  # glibc's mallopt parameter number
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _glibc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


_LIBC = _glibc()


def resident_bytes() -> int:
    """The process's resident set size now (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def limit_arenas(count: int) -> bool:
    """Cap glibc's malloc arenas for threads created from now on; True if applied."""
    return bool(_LIBC and count > 0 and _LIBC.mallopt(_M_ARENA_MAX, int(count)) == 1)


def trim() -> None:
    if _LIBC:
        _LIBC.malloc_trim(0)


class GrowthTrimmer:
    """After a response: if the resident size grew `growth` bytes past the level last seen after a
    trim, trim, and take the size after it as the new level (so memory the app really keeps, a
    warm cache, does not set off a trim on every request)."""

    def __init__(self, growth: int, measure=resident_bytes, release=trim):
        self.growth = growth
        self.measure = measure
        self.release = release
        self.level: int | None = None
        self.trims = 0
        self._lock = threading.Lock()

    def after_response(self) -> None:
        now = self.measure()
        if self.level is None or now < self.level:
            self.level = now
            return
        if now - self.level < self.growth or not self._lock.acquire(blocking=False):
            return  # another thread is trimming already
        try:
            self.release()
            self.trims += 1
            self.level = self.measure()
        finally:
            self._lock.release()


_applied_arena_max: int | None = None


def install(app: Flask) -> None:
    global _applied_arena_max
    arenas = int(app.config.get("MALLOC_ARENA_MAX") or 0)
    if arenas and _applied_arena_max != arenas:
        limit_arenas(arenas)
        _applied_arena_max = arenas
    growth_mb = int(app.config.get("MEMORY_TRIM_GROWTH_MB") or 0)
    if not growth_mb or _LIBC is None:
        return
    trimmer = app.extensions["memory.trimmer"] = GrowthTrimmer(growth_mb * 2**20)

    @app.after_request
    def trim_after_sending(response):
        response.call_on_close(trimmer.after_response)
        return response
