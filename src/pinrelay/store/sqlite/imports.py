"""The SQLite store's offline imports table (migration 0010, issue 15).

A mixin of `SQLiteStore`, like `PipelineTables`: writes go through the group-commit writer
(an import's progress update rides in the same commits as its events), reads through the
store's read connections. Rows are few (one per uploaded file), so nothing is cached.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, cast

from pinrelay.store.importrecords import ImportStatus, StoredImport
from pinrelay.store.sql import load_queries
from pinrelay.store.sqlite.writer import GroupCommitWriter

QUERIES = load_queries("pinrelay.store.sqlite", "imports.sql")  # not queries.sql: its own file


def _from_row(row: sqlite3.Row) -> StoredImport:
    return StoredImport(
        id=row["id"],
        source_id=row["source_id"],
        file_name=row["file_name"],
        file_bytes=row["file_bytes"],
        status=cast(ImportStatus, row["status"]),
        actor=row["actor"],
        spec=json.loads(row["spec"]),
        figures=json.loads(row["figures"]),
        bytes_read=row["bytes_read"],
        message=row["message"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
    )


class ImportTables:
    """Offline imports of `SQLiteStore`; expects `_writer` and `_read` from it."""

    _writer: GroupCommitWriter
    _read: Callable[[Callable[[sqlite3.Connection], Any]], Awaitable[Any]]

    async def save_import(self, record: StoredImport) -> None:
        params = {
            "id": record.id,
            "source_id": record.source_id,
            "file_name": record.file_name,
            "file_bytes": record.file_bytes,
            "status": record.status,
            "actor": record.actor,
            "spec": json.dumps(record.spec),
            "figures": json.dumps(record.figures),
            "bytes_read": record.bytes_read,
            "message": record.message,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
            "finished_at": record.finished_at,
        }
        await self._writer.run(lambda conn: conn.execute(QUERIES["upsert_import"], params))

    async def get_import(self, import_id: str) -> StoredImport | None:
        row = await self._read(
            lambda conn: conn.execute(QUERIES["select_import"], {"id": import_id}).fetchone()
        )
        return None if row is None else _from_row(row)

    async def list_imports(self, *, limit: int) -> list[StoredImport]:
        rows = await self._read(
            lambda conn: conn.execute(QUERIES["select_imports"], {"limit": limit}).fetchall()
        )
        return [_from_row(row) for row in rows]
