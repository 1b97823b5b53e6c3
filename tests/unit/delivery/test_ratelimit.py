"""The per-ad-account token bucket: average rate, bursts, and a 429's closed window."""

from __future__ import annotations

import pytest

from pinrelay.delivery.ratelimit import RateLimits, TokenBucket

pytestmark = pytest.mark.anyio


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_full_bucket_lets_a_burst_through_then_paces() -> None:
    clock = FakeClock()
    bucket = TokenBucket(600, clock=clock)  # 10 per second, bursts of 10
    for _ in range(10):
        assert bucket.wait_seconds() == 0
        await bucket.acquire()
    assert bucket.wait_seconds() == pytest.approx(0.1)
    clock.now += 0.5
    assert bucket.wait_seconds() == 0  # five tokens came back


def test_a_429_closes_the_bucket_until_the_reset() -> None:
    clock = FakeClock()
    bucket = TokenBucket(5000, clock=clock)
    bucket.close_for(30)
    assert bucket.wait_seconds() == pytest.approx(30)
    clock.now += 30
    assert bucket.wait_seconds() == 0


def test_each_ad_account_has_its_own_bucket() -> None:
    limits = RateLimits(5000, clock=FakeClock())
    limits.for_account("1").close_for(10)
    assert limits.for_account("1").wait_seconds() > 0
    assert limits.for_account("2").wait_seconds() == 0
    assert limits.for_account("1") is limits.for_account("1")
