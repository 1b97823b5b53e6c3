"""Throttling of failed sign-ins: a client that keeps guessing admin tokens is slowed down.

Per client address (behind our trusted proxies, the visitor's), at most MAX_FAILURES failed
attempts in WINDOW_SECONDS; past that, every attempt of that client (even with a right
token, or the guessing could go on) is answered 429 with Retry-After until the oldest
failure leaves the window. Ten guesses a minute against a 256-bit token is no attack; a
person who mistyped waits a minute at most. State is in memory: one process owns the admin
port (a restart forgets, which is fine for a rate).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

import structlog

from pinrelay.errors import TooManyRequests

logger = structlog.get_logger(__name__)

MAX_FAILURES = 10  # failed attempts per client ...
WINDOW_SECONDS = 60.0  # ... in this sliding window
MAX_CLIENTS = 10_000  # clients remembered at once (a bound on memory; the oldest go first)


class FailureThrottle:
    """Failed attempts per client; `clock` is injectable so tests do not sleep."""

    def __init__(
        self,
        *,
        max_failures: int = MAX_FAILURES,
        window_seconds: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self.clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.get(client)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self.window_seconds:
            failures.popleft()
        if not failures:
            del self._failures[client]
        return failures

    def check(self, client: str) -> None:
        """Raise TooManyRequests while `client` is over its failures."""
        now = self.clock()
        failures = self._recent(client, now)
        if len(failures) >= self.max_failures:
            wait = max(1, math.ceil(failures[0] + self.window_seconds - now))
            raise TooManyRequests(
                f"too many failed sign-ins from this address: try again in {wait} s",
                retry_after_seconds=wait,
            )

    def failed(self, client: str, *, where: str, reason: str) -> None:
        """Count a failed attempt and log it (the client and where; never the token)."""
        now = self.clock()
        failures = self._recent(client, now)
        failures.append(now)
        self._failures[client] = failures
        self._failures.move_to_end(client)
        while len(self._failures) > MAX_CLIENTS:
            self._failures.popitem(last=False)
        logger.warning(
            "admin sign-in failed",
            action="admin.auth_failed",
            client=client,
            where=where,
            reason=reason,
            failures_in_window=len(failures),
        )
