"""Cyclic garbage collection paused while the engine builds its many small objects.

Matching 20,000 clients allocates millions of tuples and dataclasses, none of them in reference
cycles, so CPython's cycle collector runs again and again for nothing (a third of the time at that
size). Reference counting still frees everything. The pause nests and is shared by threads: the
collector is switched back on when the last matcher leaves, and only if it was on to begin with.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def no_cycle_collection():
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
