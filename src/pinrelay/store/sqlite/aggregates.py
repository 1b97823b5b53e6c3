"""SQLite side of the dashboard's grouped counts and of recovered conversions (issue 14).

A mixin of `SQLiteStore` (it needs `_read`), reading with the named queries of
aggregates.sql: GROUP BY in SQLite, so no count is capped by how many rows a page may read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from pinrelay.store.aggregates import RECEIVED, BucketCount, RecoveredCount
from pinrelay.store.sql import load_queries

Q = load_queries("pinrelay.store.sqlite", "aggregates.sql")


class AggregateQueries:
    """`count_by_bucket` and `recovered_conversions` of `SQLiteStore`."""

    _read: Callable[[Callable[[sqlite3.Connection], Any]], Awaitable[Any]]

    async def count_by_bucket(self, *, since: float, bucket_seconds: int) -> list[BucketCount]:
        """Received per source, trace outcomes and deliveries per integration, per bucket."""
        params = {"since": since, "bucket": int(bucket_seconds)}

        def query(conn: sqlite3.Connection) -> list[BucketCount]:
            counts = [
                BucketCount(float(r["bucket"]), r["source_id"], None, RECEIVED, int(r["n"]))
                for r in conn.execute(Q["received_by_bucket"], params)
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
                    for r in conn.execute(Q[name], params)
                    if r["integration_id"] is not None and r["outcome"] is not None
                )
            return counts

        result: list[BucketCount] = await self._read(query)
        return result

    async def recovered_conversions(self, *, since: float) -> list[RecoveredCount]:
        def query(conn: sqlite3.Connection) -> list[RecoveredCount]:
            return [
                RecoveredCount(float(r["day"]), str(r["integration_id"]), int(r["n"]))
                for r in conn.execute(Q["recovered_by_day"], {"since": since})
            ]

        result: list[RecoveredCount] = await self._read(query)
        return result
