"""Writing what `pinrelay move-data` reads into a PostgreSQL database.

Rows keep their ids and seqs (so an event's journey and a dead letter's seq stay the same);
the sequences are moved past them at the end, and the catalog version is bumped so running
processes reload. Secrets are copied as they are: still encrypted with the same key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import sql

from pinrelay.store.postgres.base import Connection

# In dependency order; the outbox's events before the outbox.
TABLES = (
    "sources",
    "integrations",
    "admin_tokens",
    "integration_pipelines",
    "integration_pipeline_versions",
    "identities",
    "events",
    "outbox",
)
BOOLEANS = {"consent_required", "tag_dedup", "enabled", "test_mode"}
TEXTS = {"body", "trace"}  # SQLite may hold them as bytes
JSONB = {"trace"}


async def is_empty(conn: Connection) -> bool:
    for table in TABLES:
        query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))
        cursor = await conn.execute(query)
        row = await cursor.fetchone()
        if row is not None and row[0]:
            return False
    return True


async def wipe(conn: Connection) -> None:
    """Empty every table the move fills (`--force`)."""
    await conn.execute(
        sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, TABLES)))
    )


def _value(column: str, value: Any) -> Any:
    if column in BOOLEANS and value is not None:
        return bool(value)
    if column in TEXTS and isinstance(value, bytes):
        return value.decode()
    return value


async def insert_rows(conn: Connection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    values = [
        sql.SQL("{}::jsonb").format(sql.Placeholder(c)) if c in JSONB else sql.Placeholder(c)
        for c in columns
    ]
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(values),
    )
    async with conn.cursor() as cursor:
        await cursor.executemany(query, [{c: _value(c, row[c]) for c in columns} for row in rows])


async def finish(conn: Connection) -> None:
    """Sequences past the copied seqs; every process reloads its catalog."""
    for table, column in (("events", "seq"), ("outbox", "seq")):
        query = sql.SQL(
            "SELECT setval(pg_get_serial_sequence({}, {}), GREATEST((SELECT MAX({}) FROM {}), 1))"
        ).format(
            sql.Literal(table), sql.Literal(column), sql.Identifier(column), sql.Identifier(table)
        )
        await conn.execute(query)
    await conn.execute(b"UPDATE catalog_version SET version = version + 1")
