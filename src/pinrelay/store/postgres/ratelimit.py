"""The per-ad-account rate limit shared by every worker on one PostgreSQL database.

One `rate_buckets` row per ad account is a token bucket, refilled and taken from in one
atomic statement with the database's clock, so N workers on M hosts together stay under
the limit; a 429 closes the row's bucket for every worker at once.
"""

from __future__ import annotations

import asyncio

from pinrelay.store.postgres.base import PostgresBase

SEND_LIMIT_POLL_SECONDS = 1.0  # longest sleep between two tries of a closed or empty bucket


class SharedSendLimits:
    """`SendLimits` on the `rate_buckets` table (see module docstring)."""

    def __init__(self, store: PostgresBase, rate_per_minute: float) -> None:
        self._store = store
        self._rate = rate_per_minute / 60.0
        self._capacity = max(1.0, self._rate)  # bursts of at most one second's worth

    def _params(self, ad_account_id: str) -> dict[str, object]:
        return {"account": ad_account_id, "rate": self._rate, "capacity": self._capacity}

    async def acquire(self, ad_account_id: str) -> None:
        while await self._store._scalar("take_send_token", self._params(ad_account_id)) is None:
            wait = await self.wait_seconds(ad_account_id)
            await asyncio.sleep(min(max(wait, 0.001), SEND_LIMIT_POLL_SECONDS))

    async def wait_seconds(self, ad_account_id: str) -> float:
        wait = await self._store._scalar("send_wait_seconds", self._params(ad_account_id))
        return 0.0 if wait is None else float(wait)

    async def close_for(self, ad_account_id: str, seconds: float) -> None:
        await self._store._execute(
            "close_send_bucket", {"account": ad_account_id, "seconds": seconds}
        )
