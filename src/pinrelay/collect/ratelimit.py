"""Requests per second per source: one busy or broken sender cannot take the whole server.

A token bucket per source, in memory (one process owns a SQLite file; on several collect
hosts each enforces its own share). A request over the rate is answered 429 with
Retry-After, which Segment's SDKs and pinrelay.js treat as "retry later": nothing is lost.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from pinrelay.errors import TooManyRequests

BURST_SECONDS = 2.0  # a bucket holds this many seconds of the rate: bursts pass
MAX_SOURCES = 100_000  # buckets kept at once (a bound on memory)


class SourceRateLimiter:
    """`rate_per_second` requests per source (0: no limit); `clock` is injectable for tests."""

    def __init__(
        self, rate_per_second: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate_per_second
        self.capacity = max(1.0, rate_per_second * BURST_SECONDS)
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # source -> (tokens, at)

    def take(self, source_id: str) -> None:
        """Spend one request of `source_id`, or raise TooManyRequests with when to retry."""
        if self.rate <= 0:
            return
        now = self.clock()
        tokens, at = self._buckets.get(source_id, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.rate)
        if tokens < 1.0:
            self._buckets[source_id] = (tokens, now)
            wait = max(1, math.ceil((1.0 - tokens) / self.rate))
            raise TooManyRequests(
                f"this source sends more than {self.rate:g} requests per second: retry after "
                f"{wait} s, or batch events (up to 500 KB per request)",
                retry_after_seconds=wait,
            )
        if len(self._buckets) >= MAX_SOURCES and source_id not in self._buckets:
            self._buckets.clear()  # forgetting gives everyone a full bucket: safe
        self._buckets[source_id] = (tokens - 1.0, now)
