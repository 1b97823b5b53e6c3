"""The catalog on PostgreSQL: writes bump a version; every process polls it and reloads.

A write of a source, integration, admin token or pipeline runs in one transaction with
`bump_catalog_version`; the writing process reloads its cache at once, the others on their
next poll (`CATALOG_POLL_SECONDS`), so a revoked token or a rotated write key stops working
everywhere within about a second.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from psycopg.rows import dict_row

from pinrelay.errors import NotFound
from pinrelay.store.catalog_cache import CatalogCache, CatalogSnapshot
from pinrelay.store.postgres.base import Connection, PostgresBase, Q, Row
from pinrelay.store.records import AdminToken, Integration, Source, StoredPipeline
from pinrelay.store.rows import admin_token_params, integration_from_row, integration_params

CATALOG_POLL_SECONDS = 0.5


def _source(row: Row) -> tuple[Source, str]:
    source = Source(
        row["id"],
        row["name"],
        row["write_key_hint"],
        row["created_at"],
        default_country=row["default_country"],
        allowed_origins=tuple(json.loads(row["allowed_origins"])),
        cookie_domain=row["cookie_domain"],
        consent_required=row["consent_required"],
        tag_dedup=row["tag_dedup"],
    )
    return source, row["write_key_hash"]


async def read_snapshot(conn: Connection) -> CatalogSnapshot:
    """The whole catalog, read in one repeatable-read transaction (a consistent picture)."""
    async with conn.transaction():
        await conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor = conn.cursor(row_factory=dict_row)

        async def rows(name: str) -> list[Row]:
            await cursor.execute(Q[name])
            return await cursor.fetchall()

        version = (await rows("catalog_version"))[0]["version"]
        return CatalogSnapshot(
            version=int(version),
            sources=tuple(_source(r) for r in await rows("select_sources")),
            integrations=tuple(integration_from_row(r) for r in await rows("select_integrations")),
            admin_tokens=tuple(
                (
                    AdminToken(
                        r["id"], r["name"], r["token_hint"], r["created_at"], r["revoked_at"]
                    ),
                    r["token_hash"],
                )
                for r in await rows("select_admin_tokens")
            ),
            pipelines=tuple(
                StoredPipeline(
                    r["integration_id"],
                    r["name"],
                    r["version"],
                    r["yaml"],
                    r["created_at"],
                    r["updated_at"],
                )
                for r in await rows("select_pipelines")
            ),
        )


class PostgresCatalog(PostgresBase):
    """Catalog writes and the cache's reads (sources, integrations, tokens)."""

    _catalog: CatalogCache

    async def reload_catalog(self) -> None:
        async with self._pool.connection() as conn:
            self._catalog.replace(await read_snapshot(conn))

    async def poll_catalog(self) -> bool:
        """Reload if another process changed the catalog; True if it did."""
        version = await self._scalar("catalog_version", {})
        if version is None or int(version) == self._catalog.snapshot.version:
            return False
        await self.reload_catalog()
        return True

    @asynccontextmanager
    async def _catalog_write(self) -> AsyncIterator[Connection]:
        """A transaction that bumps the catalog version; the cache reloads after commit."""
        async with self._transaction() as conn:
            yield conn
            await conn.execute(Q["bump_catalog_version"])
        await self.reload_catalog()

    async def _write_one(self, name: str, params: dict[str, Any], what: str) -> None:
        async with self._catalog_write() as conn:
            cursor = await conn.execute(Q[name], params)
            if cursor.rowcount == 0:
                raise NotFound(f"{what} does not exist")

    # sources -----------------------------------------------------------------------------
    async def create_source(
        self,
        *,
        source_id: str,
        name: str,
        write_key_hash: str,
        write_key_hint: str,
        default_country: str = "US",
    ) -> Source:
        params = {
            "id": source_id,
            "name": name,
            "write_key_hash": write_key_hash,
            "write_key_hint": write_key_hint,
            "default_country": default_country,
            "now": time.time(),
        }
        async with self._catalog_write() as conn:
            await conn.execute(Q["insert_source"], params)
        return self._known_source(source_id)

    def _known_source(self, source_id: str) -> Source:
        source = self._catalog.get_source(source_id)
        if source is None:
            raise NotFound(f"source {source_id} does not exist")
        return source

    async def rotate_write_key(
        self, source_id: str, *, write_key_hash: str, write_key_hint: str
    ) -> Source:
        params = {
            "id": source_id,
            "write_key_hash": write_key_hash,
            "write_key_hint": write_key_hint,
            "now": time.time(),
        }
        await self._write_one("rotate_write_key", params, f"source {source_id}")
        return self._known_source(source_id)

    def source_for_write_key_hash(self, write_key_hash: str) -> Source | None:
        return self._catalog.source_for_write_key_hash(write_key_hash)

    def list_sources(self) -> list[Source]:
        return self._catalog.list_sources()

    def get_source(self, source_id: str) -> Source | None:
        return self._catalog.get_source(source_id)

    async def update_source(
        self, source_id: str, *, name: str | None = None, default_country: str | None = None
    ) -> Source:
        current = self._known_source(source_id)
        params = {
            "id": source_id,
            "name": current.name if name is None else name,
            "default_country": (
                current.default_country if default_country is None else default_country
            ),
            "now": time.time(),
        }
        await self._write_one("update_source", params, f"source {source_id}")
        return self._known_source(source_id)

    async def update_source_browser(
        self,
        source_id: str,
        *,
        allowed_origins: tuple[str, ...],
        cookie_domain: str | None,
        consent_required: bool,
        tag_dedup: bool,
    ) -> Source:
        params = {
            "id": source_id,
            "allowed_origins": json.dumps(list(allowed_origins)),
            "cookie_domain": cookie_domain,
            "consent_required": consent_required,
            "tag_dedup": tag_dedup,
            "now": time.time(),
        }
        await self._write_one("update_source_browser", params, f"source {source_id}")
        return self._known_source(source_id)

    async def delete_source(self, source_id: str) -> None:
        await self._write_one("delete_source", {"id": source_id}, f"source {source_id}")

    # integrations ------------------------------------------------------------------------
    async def create_integration(self, integration: Integration) -> Integration:
        params = integration_params(integration, integration.created_at)
        async with self._catalog_write() as conn:
            await conn.execute(Q["insert_integration"], params)
        return integration

    async def update_integration(self, integration: Integration) -> Integration:
        params = integration_params(integration, integration.updated_at)
        await self._write_one("update_integration", params, f"integration {integration.id}")
        return integration

    async def delete_integration(self, integration_id: str) -> None:
        params = {"id": integration_id}
        async with self._catalog_write() as conn:
            await conn.execute(Q["delete_integration_pipeline_versions"], params)
            await conn.execute(Q["delete_integration_pipelines"], params)
            cursor = await conn.execute(Q["delete_integration"], params)
            if cursor.rowcount == 0:
                raise NotFound(f"integration {integration_id} does not exist")

    async def pause_integration(self, integration_id: str, reason: str) -> None:
        params = {"id": integration_id, "reason": reason, "now": time.time()}
        await self._write_one("pause_integration", params, f"integration {integration_id}")

    def list_integrations(self, source_id: str | None = None) -> list[Integration]:
        return self._catalog.list_integrations(source_id)

    def get_integration(self, integration_id: str) -> Integration | None:
        return self._catalog.get_integration(integration_id)

    # admin tokens ------------------------------------------------------------------------
    async def create_admin_token(
        self, *, token_id: str, name: str, token_hash: str, token_hint: str
    ) -> AdminToken:
        now = time.time()
        params = admin_token_params(
            token_id=token_id, name=name, token_hash=token_hash, token_hint=token_hint, now=now
        )
        async with self._catalog_write() as conn:
            await conn.execute(Q["insert_admin_token"], params)
        return AdminToken(token_id, name, token_hint, now, None)

    async def revoke_admin_token(self, token_id: str) -> bool:
        async with self._catalog_write() as conn:
            params = {"id": token_id, "now": time.time()}
            cursor = await conn.execute(Q["revoke_admin_token"], params)
            return cursor.rowcount > 0

    def admin_token_for_hash(self, token_hash: str) -> AdminToken | None:
        return self._catalog.admin_token_for_hash(token_hash)

    def list_admin_tokens(self) -> list[AdminToken]:
        return self._catalog.list_admin_tokens()
