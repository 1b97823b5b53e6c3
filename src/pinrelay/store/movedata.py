"""`pinrelay move-data`: from a SQLite file to PostgreSQL, when one machine is not enough.

Copies sources, integrations (conversion tokens stay encrypted: the target's processes need
the same secret key), admin tokens, pipelines with their history, identities, and the outbox
entries still pending or dead (with their events). Delivered entries, the rest of the event
log, attempts, the audit log and match-quality counters stay behind. Everything is written
in one transaction: a failed move leaves the target as it was.
"""

from __future__ import annotations

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from pinrelay.errors import ConfigError, StoreError
from pinrelay.store.engines import engine_of, redact_url, sqlite_path
from pinrelay.store.postgres import importer
from pinrelay.store.postgres.migrations_runner import migrate
from pinrelay.store.sqlite.export import SQLiteExport


async def move_data(
    source_url: str, target_url: str, *, force: bool, console: Console
) -> dict[str, int]:
    """Copy (see module docstring); return rows copied per table."""
    if engine_of(source_url) != "sqlite" or engine_of(target_url) != "postgresql":
        raise ConfigError(
            "move-data copies a SQLite file into PostgreSQL: --from sqlite:///pinrelay.db "
            "--to postgresql://user:password@host/dbname"
        )
    export = SQLiteExport(sqlite_path(source_url))
    copied: dict[str, int] = {}
    try:
        async with await psycopg.AsyncConnection.connect(target_url, autocommit=True) as conn:
            await migrate(conn)
            async with conn.transaction():
                if not await importer.is_empty(conn):
                    if not force:
                        raise StoreError(
                            f"{redact_url(target_url)} already holds pinrelay data: point "
                            "--to at an empty database, or add --force to replace its data"
                        )
                    await importer.wipe(conn)
                with _progress(console) as progress:
                    for table in importer.TABLES:
                        task = progress.add_task(table, total=export.count(table))
                        copied[table] = 0
                        for rows in export.chunks(table):
                            await importer.insert_rows(conn, table, rows)
                            copied[table] += len(rows)
                            progress.advance(task, len(rows))
                await importer.finish(conn)
    except psycopg.Error as exc:
        raise StoreError(f"the move to {redact_url(target_url)} failed: {exc}") from exc
    finally:
        export.close()
    return copied


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description:<30}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
    )
