"""The SQLite store's offline imports table (migration 0008, issue 15).

A mixin of `SQLiteStore`, like `PipelineTables`: writes go through the group-commit writer
(an import's progress update rides in the same commits as its events), reads through the
store's read connections. Rows are few (one per uploaded file), so nothing is cached.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from pinrelay.store.importrecords import StoredImport, import_from_row, import_params
from pinrelay.store.sql import load_queries
from pinrelay.store.sqlite.writer import GroupCommitWriter

QUERIES = load_queries("pinrelay.store.sqlite", "imports.sql")  # not queries.sql: its own file


class ImportTables:
    """Offline imports of `SQLiteStore`; expects `_writer` and `_read` from it."""

    _writer: GroupCommitWriter
    _read: Callable[[Callable[[sqlite3.Connection], Any]], Awaitable[Any]]

    async def save_import(self, record: StoredImport) -> None:
        params = import_params(record)
        await self._writer.run(lambda conn: conn.execute(QUERIES["upsert_import"], params))

    async def get_import(self, import_id: str) -> StoredImport | None:
        row = await self._read(
            lambda conn: conn.execute(QUERIES["select_import"], {"id": import_id}).fetchone()
        )
        return None if row is None else import_from_row(row)

    async def list_imports(self, *, limit: int) -> list[StoredImport]:
        rows = await self._read(
            lambda conn: conn.execute(QUERIES["select_imports"], {"limit": limit}).fetchall()
        )
        return [import_from_row(row) for row in rows]
