"""Pipelines saved through the admin API, on PostgreSQL (part of the catalog cache).

The next version number of a name is read and written under an advisory lock on that name,
so two processes saving the same pipeline at once get versions n+1 and n+2, never both n+1.
"""

from __future__ import annotations

from pinrelay.store.postgres.base import Connection, Q
from pinrelay.store.postgres.catalog import PostgresCatalog
from pinrelay.store.records import PipelineVersion, StoredPipeline


async def _next_version(conn: Connection, key: dict[str, str]) -> int:
    await conn.execute(Q["lock_pipeline_name"], key)
    cursor = await conn.execute(Q["last_pipeline_version"], key)
    row = await cursor.fetchone()
    return int(row[0]) + 1 if row else 1


class PostgresPipelines(PostgresCatalog):
    def list_pipelines(self, integration_id: str) -> list[StoredPipeline]:
        return self._catalog.list_pipelines(integration_id)

    def pipelines_revision(self) -> int:
        return self._catalog.pipelines_revision

    async def save_pipeline(
        self, integration_id: str, name: str, yaml: str, *, now: float
    ) -> StoredPipeline:
        key = {"integration_id": integration_id, "name": name}
        current = next((p for p in self.list_pipelines(integration_id) if p.name == name), None)
        created_at = now if current is None else current.created_at
        async with self._catalog_write() as conn:
            version = await _next_version(conn, key)
            row = {**key, "version": version, "yaml": yaml}
            await conn.execute(
                Q["upsert_pipeline"], {**row, "created_at": created_at, "updated_at": now}
            )
            await conn.execute(Q["insert_pipeline_version"], {**row, "created_at": now})
        return StoredPipeline(integration_id, name, version, yaml, created_at, now)

    async def delete_pipeline(self, integration_id: str, name: str, *, now: float) -> None:
        key = {"integration_id": integration_id, "name": name}
        async with self._catalog_write() as conn:
            version = await _next_version(conn, key)
            await conn.execute(Q["delete_pipeline"], key)
            await conn.execute(
                Q["insert_pipeline_version"],
                {**key, "version": version, "yaml": None, "created_at": now},
            )

    async def pipeline_versions(self, integration_id: str, name: str) -> list[PipelineVersion]:
        key = {"integration_id": integration_id, "name": name}
        rows = await self._all("select_pipeline_versions", key)
        return [PipelineVersion(r["version"], r["yaml"], r["created_at"]) for r in rows]
