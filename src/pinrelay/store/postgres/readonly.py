"""Reading an integration and its pipelines from PostgreSQL for the CLI (no migration)."""

from __future__ import annotations

from typing import Any

import psycopg

from pinrelay.errors import StoreError
from pinrelay.store.engines import redact_url
from pinrelay.store.postgres.catalog import read_snapshot
from pinrelay.store.records import StoredPipeline


async def read_integration(
    url: str, integration_id: str
) -> tuple[dict[str, Any], list[StoredPipeline]]:
    try:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            snapshot = await read_snapshot(conn)
    except psycopg.Error as exc:
        raise StoreError(f"cannot read {redact_url(url)}: {exc}") from exc
    found = next((i for i in snapshot.integrations if i.id == integration_id), None)
    if found is None:
        raise StoreError(f"integration {integration_id!r} does not exist in the database")
    fields = {
        "id": found.id,
        "name": found.name,
        "settings": found.settings,
        "updated_at": found.updated_at,
    }
    return fields, [p for p in snapshot.pipelines if p.integration_id == integration_id]
