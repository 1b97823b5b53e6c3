"""When to try a failed send again: capped exponential backoff with full jitter.

Full jitter (a uniform delay between 0 and the exponential cap) spreads the retries of many
events that failed together, so a recovering Pinterest is not hit by one synchronized wave.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """The figures come from Settings (`PINRELAY_DELIVERY_BACKOFF_*`, `..._MAX_ATTEMPTS`,
    `..._RETRY_WINDOW_SECONDS`), which owns their defaults: none are repeated here."""

    base_seconds: float
    max_seconds: float
    max_attempts: int
    window_seconds: float

    def delay_seconds(
        self,
        attempts: int,
        *,
        retry_after_seconds: float | None = None,
        rng: random.Random | None = None,
    ) -> float:
        """Delay before attempt number `attempts + 1`, after `attempts` failures.

        A server-given wait (429's X-RateLimit-Reset) is honoured as a floor: retrying
        earlier would only be refused again.
        """
        cap = min(self.max_seconds, self.base_seconds * (2 ** max(attempts - 1, 0)))
        jittered = (rng or random).uniform(0, cap)
        if retry_after_seconds is not None:
            return max(jittered, retry_after_seconds)
        return jittered

    def gives_up(self, attempts: int, age_seconds: float) -> bool:
        """Whether an event that failed `attempts` times, queued `age_seconds` ago, is done for.

        Both must be spent: many quick failures during a short outage, or one slow failure
        after a long wait, are not enough on their own to dead-letter an event.
        """
        return attempts >= self.max_attempts and age_seconds >= self.window_seconds
