"""How the sandbox behaves. The defaults make the demo work with no setup at all."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pinrelay.errors import ConfigError
from pinrelay.pinterest.model import MAX_EVENT_AGE_SECONDS, MAX_FUTURE_SKEW_SECONDS

DEMO_TOKEN = "pina_sandbox_token"  # noqa: S105  public demo token of the local sandbox, not a secret
ANY_AD_ACCOUNT = "*"
MEASURED_RATE_LIMIT_PER_MINUTE = 120_000  # X-RateLimit-Limit measured 2026-09 (section 4.4)


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Who may send, how strict and how big the sandbox is.

    tokens: token -> ad account ids it may send for; `"*"` means any. Any other token gets 401.
    missing_ad_accounts: ids answered with 404 "AdAccount not found." (after auth succeeds).
    mixed_failure_status: the status of a batch where some events fail and some do not; UNVERIFIED
        on the live API, 422 follows the spec's wording (pinterest-capi.md section 4.2).
    clock: seconds since the epoch; tests pass a fake one to move time.
    """

    tokens: dict[str, set[str]] = field(default_factory=lambda: {DEMO_TOKEN: {ANY_AD_ACCOUNT}})
    missing_ad_accounts: set[str] = field(default_factory=set)
    mixed_failure_status: Literal[200, 422] = 422
    rate_limit_per_minute: int = MEASURED_RATE_LIMIT_PER_MINUTE
    max_stored_events: int = 100_000
    max_logged_requests: int = 10_000
    max_body_bytes: int = 20 * 1024 * 1024  # no Pinterest limit is known (section 2.1)
    max_event_age_seconds: int = MAX_EVENT_AGE_SECONDS
    max_future_skew_seconds: int = MAX_FUTURE_SKEW_SECONDS
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        if self.mixed_failure_status not in (200, 422):
            raise ConfigError(
                f"SandboxConfig.mixed_failure_status must be 200 or 422, "
                f"got {self.mixed_failure_status!r}"
            )
        for name in (
            "rate_limit_per_minute",
            "max_stored_events",
            "max_logged_requests",
            "max_body_bytes",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"SandboxConfig.{name} must be at least 1")

    def ad_accounts_for(self, token: str) -> set[str] | None:
        """The ad accounts a token may send for, or None for a token we do not know."""
        return self.tokens.get(token)


def mask_token(token: str) -> str:
    """A form of a token safe to show: its kind prefix and last 4 characters at most."""
    if len(token) < 16:
        return "…"
    return f"{token[:5]}…{token[-4:]}"
