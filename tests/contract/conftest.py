"""The store contract: every behaviour of `Store`, on each engine (`database_url` fixture).

A test gets an open store holding the sample source and integration. `reopen` opens a second
store on the same database: on SQLite a restart (the first must be closed), on PostgreSQL
another process sharing the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from pinrelay.store.base import Store
from pinrelay.store.engines import open_store
from pinrelay.store.records import IdentityUpdate, IngestRecord
from tests.support.records import ingest_record
from tests.support.stores import INTEGRATION_ID, SOURCE_ID, sample_integration

Reopen = Callable[[], Awaitable[Store]]


def record(
    message_id: str,
    *,
    integration_id: str = INTEGRATION_ID,
    outbox: int = 1,
    keys: tuple[str, ...] = (),
    identities: tuple[IdentityUpdate, ...] = (),
    trace: bytes = b"[]",
    user_id: str | None = "u1",
    received_at: float | None = None,
) -> IngestRecord:
    """An event of SOURCE_ID with `outbox` rows whose event_id is the message id."""
    return ingest_record(
        message_id,
        source_id=SOURCE_ID,
        integration_id=integration_id,
        outbox=outbox,
        keys=keys,
        identities=identities,
        user_id=user_id,
        body=b'{"event":"Order Completed"}',
        trace=trace,
        received_at=received_at,
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = open_store(database_url)
    await opened.open()
    await opened.create_source(
        source_id=SOURCE_ID, name="Shop", write_key_hash="h" * 64, write_key_hint="wk_abcd…"
    )
    await opened.create_integration(sample_integration(ad_account_id="123"))
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def reopen(database_url: str) -> AsyncIterator[Reopen]:
    """Open another store on the test's database (closed at the end of the test)."""
    opened: list[Store] = []

    async def another() -> Store:
        second = open_store(database_url)
        await second.open()
        opened.append(second)
        return second

    yield another
    for second in opened:
        await second.close()


def shared(store: Store) -> None:
    """Skip unless several processes may share this engine (PostgreSQL)."""
    if not store.multi_process:
        pytest.skip("one process owns a SQLite file: nothing is shared between processes")
