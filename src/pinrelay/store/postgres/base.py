"""What every part of the PostgreSQL store shares: the pool, the queries, small helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from pinrelay.errors import StoreError
from pinrelay.store.sql import load_queries

Q = load_queries("pinrelay.store.postgres", "queries.sql")

Row = dict[str, Any]
Connection = psycopg.AsyncConnection[Any]


class PostgresBase:
    """Pool access for the store's mixins; every database error becomes a StoreError."""

    _pool: AsyncConnectionPool[Connection]
    _owner: str  # who holds a lease: host:pid:nonce of this store instance

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Connection]:
        try:
            async with self._pool.connection() as conn, conn.transaction():
                yield conn
        except psycopg.Error as exc:
            raise StoreError(f"the database rejected the write: {exc}") from exc

    async def _all(self, name: str, params: Mapping[str, Any]) -> list[Row]:
        try:
            async with self._pool.connection() as conn:
                cursor = conn.cursor(row_factory=dict_row)
                await cursor.execute(Q[name], params)
                return await cursor.fetchall()
        except psycopg.Error as exc:
            raise StoreError(f"the database read failed: {exc}") from exc

    async def _one(self, name: str, params: Mapping[str, Any]) -> Row | None:
        rows = await self._all(name, params)
        return rows[0] if rows else None

    async def _scalar(self, name: str, params: Mapping[str, Any]) -> Any:
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(Q[name], params)
                row = await cursor.fetchone()
        except psycopg.Error as exc:
            raise StoreError(f"the database read failed: {exc}") from exc
        return None if row is None else row[0]

    async def _execute(self, name: str, params: Mapping[str, Any]) -> int:
        """Run one write in its own transaction; return the rows it touched."""
        async with self._transaction() as conn:
            cursor = await conn.execute(Q[name], params)
            return cursor.rowcount
