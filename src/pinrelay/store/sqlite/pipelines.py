"""SQLite tables of the pipelines saved through the admin API (migration 0005).

A mixin of `SQLiteStore`: like sources and integrations, the current pipelines live in
memory (this process is the only writer, so the copy is authoritative) and the ingest path
reads them without touching the disk; `pipelines_revision` changes on every save or delete,
so the registry of compiled pipelines knows when to rebuild.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pinrelay.store.records import PipelineVersion, StoredPipeline
from pinrelay.store.sql import load_queries
from pinrelay.store.sqlite.writer import GroupCommitWriter

T = TypeVar("T")

Q = load_queries("pinrelay.store.sqlite", "queries.sql")


class PipelineTables:
    """Stored pipelines of `SQLiteStore`; expects `_writer` and `_read` from it."""

    _writer: GroupCommitWriter
    _read: Callable[[Callable[[sqlite3.Connection], Any]], Awaitable[Any]]
    _pipelines: dict[str, dict[str, StoredPipeline]]  # integration id -> name -> current
    _pipelines_revision: int

    def _forget_pipelines(self, integration_id: str) -> None:
        """After an integration is deleted: its pipelines are gone too."""
        if self._pipelines.pop(integration_id, None) is not None:
            self._pipelines_revision += 1

    def _load_pipelines(self, conn: sqlite3.Connection) -> None:
        """Called once by `open`, with the bootstrap connection."""
        self._pipelines = {}
        self._pipelines_revision = 0
        for row in conn.execute(Q["select_pipelines"]):
            stored = StoredPipeline(
                row["integration_id"],
                row["name"],
                row["version"],
                row["yaml"],
                row["created_at"],
                row["updated_at"],
            )
            self._pipelines.setdefault(stored.integration_id, {})[stored.name] = stored

    def list_pipelines(self, integration_id: str) -> list[StoredPipeline]:
        """Current pipelines of an integration, in creation order (memory only)."""
        return list(getattr(self, "_pipelines", {}).get(integration_id, {}).values())

    def pipelines_revision(self) -> int:
        return getattr(self, "_pipelines_revision", 0)

    async def save_pipeline(
        self, integration_id: str, name: str, yaml: str, *, now: float
    ) -> StoredPipeline:
        """Create or replace the pipeline `name`; its version is one more than the last."""
        current = self._pipelines.get(integration_id, {}).get(name)
        created_at = now if current is None else current.created_at

        def write(conn: sqlite3.Connection) -> int:
            key = {"integration_id": integration_id, "name": name}
            version = int(conn.execute(Q["last_pipeline_version"], key).fetchone()["version"]) + 1
            row = {**key, "version": version, "yaml": yaml}
            conn.execute(Q["upsert_pipeline"], {**row, "created_at": created_at, "updated_at": now})
            conn.execute(Q["insert_pipeline_version"], {**row, "created_at": now})
            return version

        version = await self._writer.run(write)
        stored = StoredPipeline(integration_id, name, version, yaml, created_at, now)
        pipelines = self._pipelines.setdefault(integration_id, {})
        pipelines[name] = stored  # a replaced name keeps its place (dicts keep order)
        self._pipelines_revision += 1
        return stored

    async def delete_pipeline(self, integration_id: str, name: str, *, now: float) -> None:
        """Remove the pipeline; its history gains a deleting version."""

        def write(conn: sqlite3.Connection) -> None:
            key = {"integration_id": integration_id, "name": name}
            version = int(conn.execute(Q["last_pipeline_version"], key).fetchone()["version"]) + 1
            conn.execute(Q["delete_pipeline"], key)
            conn.execute(
                Q["insert_pipeline_version"],
                {**key, "version": version, "yaml": None, "created_at": now},
            )

        await self._writer.run(write)
        self._pipelines.get(integration_id, {}).pop(name, None)
        self._pipelines_revision += 1

    async def pipeline_versions(self, integration_id: str, name: str) -> list[PipelineVersion]:
        """Every saved version of a pipeline name, oldest first (read from disk)."""
        key = {"integration_id": integration_id, "name": name}
        rows = await self._read(
            lambda conn: conn.execute(Q["select_pipeline_versions"], key).fetchall()
        )
        return [PipelineVersion(r["version"], r["yaml"], r["created_at"]) for r in rows]
