"""The retry policy: bounded, exponential with jitter, and only where repeating is safe."""
from __future__ import annotations

import pytest

from qbo.errors import AuthenticationError, ThrottledError, TransientError, ValidationError
from qbo.retry import RetryPolicy


def policy(**kw):
    sleeps = []
    p = RetryPolicy(sleep=sleeps.append, random=lambda: 1.0, **kw)
    return p, sleeps


def flaky(errors, result="ok"):
    calls = []

    def attempt():
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return result
    return attempt, calls


def test_reads_retry_transient_errors_with_growing_capped_waits():
    p, sleeps = policy(max_attempts=5, base_delay=1, max_delay=3)
    attempt, calls = flaky([TransientError("x") for _ in range(4)])
    assert p.run(attempt, safe=True) == "ok"
    assert len(calls) == 5
    assert sleeps == [1, 2, 3, 3]  # 1·2^n capped at 3 (jitter pinned to its maximum)


def test_attempts_are_bounded():
    p, sleeps = policy(max_attempts=3)
    attempt, calls = flaky([TransientError("x") for _ in range(10)])
    with pytest.raises(TransientError):
        p.run(attempt, safe=True)
    assert len(calls) == 3 and len(sleeps) == 2


def test_jitter_spreads_waits():
    draws = iter([0.1, 0.9])
    p = RetryPolicy(sleep=lambda s: None, random=lambda: next(draws), base_delay=1, max_delay=8)
    assert p.backoff(2) == pytest.approx(0.4)
    assert p.backoff(2) == pytest.approx(3.6)


def test_unsafe_write_is_not_repeated_when_it_may_have_been_committed():
    p, sleeps = policy()
    attempt, calls = flaky([TransientError("read timeout", ambiguous=True)])
    with pytest.raises(TransientError):
        p.run(attempt, safe=False)
    assert len(calls) == 1 and sleeps == []


def test_unsafe_write_is_repeated_when_it_surely_never_arrived():
    p, _ = policy()
    attempt, calls = flaky([TransientError("refused", ambiguous=False)])
    assert p.run(attempt, safe=False) == "ok"
    assert len(calls) == 2


def test_throttle_waits_what_quickbooks_asks_only_when_safe_and_short_enough():
    p, sleeps = policy(base_delay=0.5, max_throttle_wait=60)
    attempt, _ = flaky([ThrottledError("429", retry_after=60)])
    assert p.run(attempt, safe=True) == "ok"
    assert sleeps == [60.5]
    p, sleeps = policy(max_throttle_wait=10)
    attempt, _ = flaky([ThrottledError("429", retry_after=60)])
    with pytest.raises(ThrottledError):
        p.run(attempt, safe=True)
    assert sleeps == []


@pytest.mark.parametrize("error", [ValidationError("bad"), AuthenticationError("no")])
def test_other_errors_are_never_retried(error):
    p, sleeps = policy()
    attempt, calls = flaky([error])
    with pytest.raises(type(error)):
        p.run(attempt, safe=True)
    assert len(calls) == 1
