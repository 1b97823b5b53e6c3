"""A real SQLite store on a temporary file, with the one source and integration most tests need."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest

from pinrelay.store.engines import engine_of, sqlite_path
from pinrelay.store.records import Integration
from pinrelay.store.sqlite.store import SQLiteStore

# Run a test module's gateways on each engine: `pytestmark = [ON_BOTH_ENGINES]`.
ON_BOTH_ENGINES = pytest.mark.parametrize("start_gateway", ["sqlite", "postgresql"], indirect=True)

SOURCE_ID = "src_1"
INTEGRATION_ID = "int_1"


def sample_integration(**changes: Any) -> Integration:
    """An active Pinterest integration of SOURCE_ID; override any field by keyword."""
    now = time.time()
    integration = Integration(
        id=INTEGRATION_ID,
        source_id=SOURCE_ID,
        vendor="pinterest_ads",
        name="Pinterest",
        enabled=True,
        ad_account_id="549764982399",
        conversion_token_enc=b"cipher",
        conversion_token_hint="abcd",
        test_mode=False,
        consent_categories=(),
        settings={},
        paused_reason=None,
        created_at=now,
        updated_at=now,
    )
    return replace(integration, **changes)


@asynccontextmanager
async def opened_store(
    path: Path, *, integration: Integration | None = None
) -> AsyncIterator[SQLiteStore]:
    """An open store holding SOURCE_ID and `integration` (the sample one by default)."""
    store = SQLiteStore(path)
    await store.open()
    try:
        await store.create_source(
            source_id=SOURCE_ID, name="Shop", write_key_hash="h" * 64, write_key_hint="wk_abcd…"
        )
        await store.create_integration(integration or sample_integration())
        yield store
    finally:
        await store.close()


def raw_database_content(database_url: str) -> bytes:
    """Everything the database holds, as bytes: the SQLite files, or every PostgreSQL row as
    text (to check what is never written, e.g. raw PII)."""
    if engine_of(database_url) == "sqlite":
        db = sqlite_path(database_url)
        return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    chunks: list[bytes] = []
    with psycopg.connect(database_url) as conn:
        tables = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        for (table,) in tables:
            query = f"SELECT t::text FROM {table} AS t"  # noqa: S608  # names from the catalog
            chunks += [str(row[0]).encode() for row in conn.execute(query.encode())]
    return b"\n".join(chunks)
