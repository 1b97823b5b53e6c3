"""The per-source request rate of collect: a token bucket with bursts, per source."""

from __future__ import annotations

import pytest

from pinrelay.collect.ratelimit import SourceRateLimiter
from pinrelay.errors import TooManyRequests


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_the_rate_holds_per_source() -> None:
    clock = Clock()
    limiter = SourceRateLimiter(10, clock=clock)  # bursts of 20
    for _ in range(20):
        limiter.take("src_a")
    with pytest.raises(TooManyRequests) as refused:
        limiter.take("src_a")
    assert refused.value.retry_after_seconds == 1
    assert "10 requests per second" in refused.value.message
    limiter.take("src_b")  # another source is not held back
    clock.now += 0.5  # five requests' worth come back
    for _ in range(5):
        limiter.take("src_a")
    with pytest.raises(TooManyRequests):
        limiter.take("src_a")


def test_zero_means_no_limit() -> None:
    limiter = SourceRateLimiter(0)
    for _ in range(10_000):
        limiter.take("src_a")
