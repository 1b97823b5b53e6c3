"""Backoff: exponential, capped, fully jittered, and never earlier than Pinterest asks."""

from __future__ import annotations

import random

from pinrelay.delivery.retry import RetryPolicy

POLICY = RetryPolicy(base_seconds=2, max_seconds=60, max_attempts=5, window_seconds=3600)


def test_delays_stay_under_the_exponential_cap() -> None:
    rng = random.Random(7)
    for attempts, cap in [(1, 2), (2, 4), (3, 8), (4, 16), (10, 60)]:
        delays = [POLICY.delay_seconds(attempts, rng=rng) for _ in range(200)]
        assert all(0 <= d <= cap for d in delays)
        assert max(delays) > cap / 2  # jitter spreads over the whole range


def test_a_server_given_wait_is_a_floor() -> None:
    assert POLICY.delay_seconds(1, retry_after_seconds=45, rng=random.Random(1)) >= 45


def test_the_budget_needs_both_attempts_and_time_spent() -> None:
    assert not POLICY.gives_up(4, age_seconds=7200)
    assert not POLICY.gives_up(50, age_seconds=60)
    assert POLICY.gives_up(5, age_seconds=3600)
