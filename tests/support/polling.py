"""Wait until something is true: the one bounded polling loop of the tests.

Servers, workers and caches of other processes answer asynchronously, so a test asks again
until the answer arrives or a deadline passes. `wait_for` returns the first truthy answer
(so the caller can assert on it) and fails the test at the deadline, naming what it waited
for; `eventually` (and `eventually_async`, inside an event loop) returns False instead, for
tests that assert themselves.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

POLL_INTERVAL_SECONDS = 0.05
DEFAULT_TIMEOUT_SECONDS = 15.0


def wait_for(
    check: Callable[[], T | None],
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    interval: float = POLL_INTERVAL_SECONDS,
    what: str = "the condition",
) -> T:
    """The first truthy result of `check()`, asked every `interval` seconds; AssertionError
    when none came within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {timeout:g}s waiting for {what} (last: {found!r})"
            )
        time.sleep(interval)


def eventually(
    check: Callable[[], object],
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    interval: float = POLL_INTERVAL_SECONDS,
) -> bool:
    """Whether `check()` became truthy within `timeout` seconds."""
    try:
        wait_for(check, timeout=timeout, interval=interval)
    except AssertionError:
        return False
    return True


async def eventually_async(
    check: Callable[[], object],
    *,
    seconds: float = DEFAULT_TIMEOUT_SECONDS,
    interval: float = POLL_INTERVAL_SECONDS,
) -> bool:
    """`eventually` inside an event loop (within `seconds`): sleeps without blocking it."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(interval)
    return True
