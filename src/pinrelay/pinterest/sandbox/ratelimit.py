"""A per-ad-account fixed-window rate limit with Pinterest's headers (section 4.4).

Measured: `X-RateLimit-Reset` counts down (58, 56, 53) between requests, so a window is fixed
once started; ours starts at an ad account's first request. Thread-safe; memory is bounded by
`max_keys` windows.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 60
RATE_LIMIT_NAME = "ads_conversions_ad_account_id"  # measured header name (section 4.4)


@dataclass(frozen=True, slots=True)
class RateLimitState:
    limit: int
    remaining: int
    reset_seconds: int  # whole seconds until the window resets
    allowed: bool = True

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": (
                f'{self.limit}, {self.limit};w={WINDOW_SECONDS};name="{RATE_LIMIT_NAME}"'
            ),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }


@dataclass(slots=True)
class _Window:
    started_at: float
    count: int


class FixedWindowRateLimiter:
    """`limit` requests per key per window; the window starts at the key's first request."""

    def __init__(self, limit: int, *, clock: Callable[[], float], max_keys: int = 100_000) -> None:
        self._limit = limit
        self._clock = clock
        self._max_keys = max_keys
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> RateLimitState:
        """Count one request for `key`; `allowed` is False once the window is used up."""
        now = self._clock()
        with self._lock:
            window = self._current_window(key, now)
            if window is None:
                self._make_room(now)
                window = self._windows[key] = _Window(started_at=now, count=0)
            allowed = window.count < self._limit
            if allowed:
                window.count += 1
            return self._state(window, now, allowed)

    def peek(self, key: str) -> RateLimitState:
        """The state of `key`'s window without counting a request."""
        now = self._clock()
        with self._lock:
            window = self._current_window(key, now)
            if window is None:
                return RateLimitState(self._limit, self._limit, WINDOW_SECONDS)
            return self._state(window, now, window.count < self._limit)

    def _current_window(self, key: str, now: float) -> _Window | None:
        window = self._windows.get(key)
        if window is not None and now - window.started_at >= WINDOW_SECONDS:
            del self._windows[key]
            return None
        return window

    def _state(self, window: _Window, now: float, allowed: bool) -> RateLimitState:
        reset = max(0, math.ceil(window.started_at + WINDOW_SECONDS - now))
        return RateLimitState(self._limit, self._limit - window.count, reset, allowed)

    def _make_room(self, now: float) -> None:
        if len(self._windows) < self._max_keys:
            return
        for key in [k for k, w in self._windows.items() if now - w.started_at >= WINDOW_SECONDS]:
            del self._windows[key]
        while len(self._windows) >= self._max_keys:  # all live: forget the oldest
            del self._windows[next(iter(self._windows))]
