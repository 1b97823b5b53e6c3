"""`open_store(url)`: the one place that knows which engine a database URL means.

The app, the CLI and the pipeline tools ask for a store by URL and never import an engine:
`sqlite:///file.db` is the embedded single-process engine, `postgresql://...` the shared one
that many processes on many hosts can use at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pinrelay.errors import ConfigError
from pinrelay.store.base import Store
from pinrelay.store.records import StoredPipeline

SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


def engine_of(url: str) -> str:
    """ "sqlite" or "postgresql"; ConfigError for anything else."""
    if url.startswith(SQLITE_PREFIX):
        return "sqlite"
    if url.startswith(POSTGRES_PREFIXES):
        return "postgresql"
    raise ConfigError(
        f"unknown database URL {redact_url(url)!r}: use sqlite:///pinrelay.db or "
        "postgresql://user:password@host:5432/dbname"
    )


def sqlite_path(url: str) -> Path:
    """The file behind a `sqlite:///` URL (three slashes: relative, four: absolute)."""
    return Path(url.removeprefix(SQLITE_PREFIX))


def redact_url(url: str) -> str:
    """The URL without its password, for logs and messages."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url


def open_store(url: str, *, group_commit_max_items: int = 5000, pool_size: int = 10) -> Store:
    """A store for `url`, not opened yet (call `await store.open()`)."""
    if engine_of(url) == "sqlite":
        from pinrelay.store.sqlite.store import SQLiteStore

        return SQLiteStore(sqlite_path(url), group_commit_max_items=group_commit_max_items)
    from pinrelay.store.postgres.store import PostgresStore

    return PostgresStore(url, group_commit_max_items=group_commit_max_items, pool_size=pool_size)


async def migrate_database(url: str) -> list[int]:
    """Apply the schema migrations of the engine behind `url`; return the versions applied."""
    if engine_of(url) == "sqlite":
        from pinrelay.store.sqlite.connection import connect
        from pinrelay.store.sqlite.connection import migrate as migrate_sqlite

        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(path)
        try:
            return migrate_sqlite(conn)
        finally:
            conn.close()
    from pinrelay.store.postgres.migrations_runner import migrate_url

    return await migrate_url(url)


async def read_integration(
    url: str, integration_id: str
) -> tuple[dict[str, Any], list[StoredPipeline]]:
    """An integration's {id, name, settings, updated_at} and current pipelines, read-only
    (nothing migrated, nothing written: safe beside a running server)."""
    if engine_of(url) == "sqlite":
        from pinrelay.store.sqlite.readonly import read_integration as read_sqlite

        return read_sqlite(sqlite_path(url), integration_id)
    from pinrelay.store.postgres.readonly import read_integration as read_postgres

    return await read_postgres(url, integration_id)
