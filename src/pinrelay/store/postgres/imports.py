"""The PostgreSQL store's offline imports table (migration 0002, issue 15).

Rows are few (one per uploaded file), so nothing is cached. The import runs in the admin
process that received the upload; the row is where any process reads its progress.
"""

from __future__ import annotations

from pinrelay.store.importrecords import StoredImport, import_from_row, import_params
from pinrelay.store.postgres.base import PostgresBase


class PostgresImports(PostgresBase):
    """`save_import`, `get_import` and `list_imports` of `PostgresStore`."""

    async def save_import(self, record: StoredImport) -> None:
        await self._execute("upsert_import", import_params(record))

    async def get_import(self, import_id: str) -> StoredImport | None:
        row = await self._one("select_import", {"id": import_id})
        return None if row is None else import_from_row(row)

    async def list_imports(self, *, limit: int) -> list[StoredImport]:
        return [import_from_row(r) for r in await self._all("select_imports", {"limit": limit})]
