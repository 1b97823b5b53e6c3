"""A token bucket per ad account, so pinrelay stays under Pinterest's documented rate limit.

pinterest-capi.md §4.4: the spec says 5,000 calls per minute per ad account, the rate-limit
page says 120,000 for standard access; we design for the lower figure by default (setting
`delivery_rate_limit_per_minute`). A 429 closes the bucket until X-RateLimit-Reset has passed,
for every lane of that ad account.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    """`rate_per_minute` requests per minute on average, bursts of at most `burst`."""

    def __init__(
        self,
        rate_per_minute: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate_per_minute / 60.0
        self._capacity = burst if burst is not None else max(1.0, rate_per_minute / 60.0)
        self._tokens = self._capacity
        self._clock = clock
        self._updated = clock()
        self._closed_until = 0.0
        self._lock = asyncio.Lock()

    def _refill(self, now: float) -> None:
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now

    def wait_seconds(self) -> float:
        """How long the next request would wait now (0 if it may go at once)."""
        now = self._clock()
        self._refill(now)
        closed = max(0.0, self._closed_until - now)
        short = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate
        return max(closed, short)

    async def acquire(self) -> None:
        """Wait until one request may be sent, then take its token."""
        async with self._lock:  # first come, first served
            while (wait := self.wait_seconds()) > 0:  # noqa: ASYNC110  # a clock, not an event
                await asyncio.sleep(wait)
            self._tokens -= 1

    def close_for(self, seconds: float) -> None:
        """Pinterest said 429: send nothing to this ad account for `seconds`."""
        self._closed_until = max(self._closed_until, self._clock() + seconds)


class RateLimits:
    """One bucket per ad account, made on first use."""

    def __init__(self, rate_per_minute: float, clock: Callable[[], float] = time.monotonic):
        self._rate = rate_per_minute
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def for_account(self, ad_account_id: str) -> TokenBucket:
        bucket = self._buckets.get(ad_account_id)
        if bucket is None:
            bucket = self._buckets[ad_account_id] = TokenBucket(self._rate, clock=self._clock)
        return bucket


class LocalSendLimits:
    """The `SendLimits` of a store that one process owns (SQLite): buckets in memory."""

    def __init__(self, rate_per_minute: float, clock: Callable[[], float] = time.monotonic):
        self._limits = RateLimits(rate_per_minute, clock)

    async def acquire(self, ad_account_id: str) -> None:
        await self._limits.for_account(ad_account_id).acquire()

    async def wait_seconds(self, ad_account_id: str) -> float:
        return self._limits.for_account(ad_account_id).wait_seconds()

    async def close_for(self, ad_account_id: str, seconds: float) -> None:
        self._limits.for_account(ad_account_id).close_for(seconds)
