"""Migrating a PostgreSQL database: ordered `NNNN_name.sql` files, under an advisory lock.

Every process migrates on start (and `pinrelay migrate` does it on purpose). Two processes
starting together must not both apply a migration: the whole run takes a transaction-level
advisory lock first, so the second waits, then finds nothing left to do. DDL is transactional
in PostgreSQL, so a failing migration leaves the schema as it was.
"""

from __future__ import annotations

import time

import psycopg

from pinrelay.errors import MigrationError, StoreError
from pinrelay.store.sql import load_migrations

MIGRATION_LOCK_KEY = 0x70696E72  # "pinr": the advisory lock every pinrelay migration takes


async def migrate(conn: psycopg.AsyncConnection[object]) -> list[int]:
    """Apply the migrations not applied yet, in one transaction; return their versions."""
    migrations = load_migrations("pinrelay.store.postgres.migrations")
    newest = max((version for version, _, _ in migrations), default=0)
    applied: list[int] = []
    try:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at DOUBLE PRECISION NOT NULL)"
            )
            cursor = await conn.execute("SELECT version FROM schema_migrations")
            done = {int(row[0]) for row in await cursor.fetchall()}  # type: ignore[index]
            if done and max(done) > newest:
                raise MigrationError(
                    f"the database is at schema version {max(done)}, newer than this pinrelay "
                    f"knows ({newest}): upgrade pinrelay, or point it at another database"
                )
            for version, name, sql in migrations:
                if version in done:
                    continue
                await conn.execute(sql.encode())  # no parameters: several statements at once
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
                    (version, name, time.time()),
                )
                applied.append(version)
    except psycopg.Error as exc:
        raise MigrationError(f"the PostgreSQL migration failed: {exc}") from exc
    return applied


async def migrate_url(url: str) -> list[int]:
    """Connect to `url`, migrate, disconnect (`pinrelay migrate`)."""
    try:
        conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
    except psycopg.Error as exc:
        raise StoreError(f"cannot connect to PostgreSQL: {exc}") from exc
    try:
        return await migrate(conn)
    finally:
        await conn.close()
