"""PostgreSQL side of the dashboard's grouped counts and of recovered conversions (issue 14).

The same four grouped queries as the SQLite engine's aggregates.sql, so a 30-day chart reads
a few hundred rows, not every event. A delivered or dead outbox row's `updated_at` is when
that happened (the PostgreSQL engine keeps states in the row, not in marks).
"""

from __future__ import annotations

from pinrelay.store.aggregates import RECEIVED, BucketCount, RecoveredCount
from pinrelay.store.postgres.base import PostgresBase


class PostgresAggregates(PostgresBase):
    """`count_by_bucket` and `recovered_conversions` of `PostgresStore`."""

    async def count_by_bucket(self, *, since: float, bucket_seconds: int) -> list[BucketCount]:
        params = {"since": since, "bucket": int(bucket_seconds)}
        counts = [
            BucketCount(float(r["bucket"]), r["source_id"], None, RECEIVED, int(r["n"]))
            for r in await self._all("received_by_bucket", params)
        ]
        for name in ("outcomes_by_bucket", "deliveries_by_bucket"):
            counts.extend(
                BucketCount(
                    float(r["bucket"]),
                    None,
                    str(r["integration_id"]),
                    str(r["outcome"]),
                    int(r["n"]),
                )
                for r in await self._all(name, params)
                if r["integration_id"] is not None and r["outcome"] is not None
            )
        return counts

    async def recovered_conversions(self, *, since: float) -> list[RecoveredCount]:
        rows = await self._all("recovered_by_day", {"since": since})
        return [
            RecoveredCount(float(r["day"]), str(r["integration_id"]), int(r["n"])) for r in rows
        ]
