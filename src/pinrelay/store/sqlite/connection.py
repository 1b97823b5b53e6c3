"""Opening a SQLite database the way pinrelay needs it, and migrating its schema."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from pinrelay.errors import MigrationError
from pinrelay.store.sql import load_migrations

BUSY_TIMEOUT_MS = 5000  # a reader waits this long for a checkpoint instead of failing


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, full fsync.

    synchronous=FULL: a commit is on disk before it returns, so an acknowledged event survives
    a power loss, not only a process crash; group commit pays the fsync once per group.
    """
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
    else:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    return conn


def applied_versions(conn: sqlite3.Connection) -> set[int]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
    )
    return {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Apply the migrations not applied yet, each in its own transaction; return them."""
    done = applied_versions(conn)
    migrations = load_migrations("pinrelay.store.sqlite.migrations")
    newer = max((version for version, _, _ in migrations), default=0)
    if done and max(done) > newer:
        raise MigrationError(
            f"the database is at schema version {max(done)}, newer than this pinrelay "
            f"knows ({newer}): upgrade pinrelay, or point it at another database"
        )
    applied = []
    for version, name, sql in migrations:
        if version in done:
            continue
        try:
            conn.execute("BEGIN IMMEDIATE")
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, time.time()),
            )
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            raise MigrationError(f"migration {version:04d}_{name} failed: {exc}") from exc
        applied.append(version)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (our migrations hold no ';' inside literals)."""
    statements = []
    buffer = ""
    for line in sql.splitlines():
        stripped = line.split("--", 1)[0]
        buffer += stripped + "\n"
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
