"""What only the SQLite engine does: its migrations, WAL, the group-commit writer, leases in
memory released by a restart. Every shared behaviour is in tests/contract/ (both engines)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import msgspec
import pytest

from pinrelay.errors import MigrationError
from pinrelay.store.records import (
    IdentityUpdate,
    IngestRecord,
    Integration,
)
from pinrelay.store.sql import load_migrations
from pinrelay.store.sqlite.connection import connect, migrate
from pinrelay.store.sqlite.store import COMMIT_CHUNK_EVENTS, SQLiteStore
from pinrelay.store.sqlite.writes import write_requests
from tests.support.records import ingest_record
from tests.support.stores import opened_store, sample_integration
from tests.support.writer import in_one_group

pytestmark = pytest.mark.anyio


def _integration(integration_id: str = "int_1") -> Integration:
    return sample_integration(id=integration_id, ad_account_id="123")


def _record(
    message_id: str,
    *,
    integration_id: str = "int_1",
    outbox: int = 1,
    identities: tuple[IdentityUpdate, ...] = (),
) -> IngestRecord:
    return ingest_record(
        message_id, integration_id=integration_id, outbox=outbox, identities=identities
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    async with opened_store(tmp_path / "pinrelay.db", integration=_integration()) as opened:
        yield opened


async def test_migrations_apply_once_and_record_their_version(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    every = [version for version, _, _ in load_migrations("pinrelay.store.sqlite.migrations")]
    assert migrate(conn) == every
    assert migrate(conn) == []
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {
        "sources",
        "integrations",
        "events",
        "outbox_events",
        "outbox_marks",
        "delivery_attempts",
        "identities",
        "schema_migrations",
    } <= tables


async def test_a_database_from_a_newer_pinrelay_is_refused(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    migrate(conn)
    conn.execute("INSERT INTO schema_migrations VALUES (99, 'future', 0)")
    with pytest.raises(MigrationError, match="newer than this pinrelay"):
        migrate(conn)


async def test_the_database_runs_in_wal_mode_with_full_sync(store: SQLiteStore) -> None:
    conn = connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    await store.close()


async def test_reopening_releases_leases_of_a_dead_process(
    tmp_path: Path, store: SQLiteStore
) -> None:
    await store.ingest([_record("m1")])
    assert len(await store.claim_batch("int_1", limit=10, now=time.time(), lease_seconds=3600)) == 1
    await store.close()
    reopened = SQLiteStore(store.path)
    await reopened.open()
    assert (
        len(await reopened.claim_batch("int_1", limit=10, now=time.time(), lease_seconds=60)) == 1
    )
    await reopened.close()


async def test_a_failing_operation_does_not_undo_the_others(store: SQLiteStore) -> None:
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO nowhere VALUES (1)")

    results = await asyncio.gather(
        store.ingest([_record("ok")]), store._writer.run(broken), return_exceptions=True
    )
    assert results[0] == [True]
    assert isinstance(results[1], sqlite3.OperationalError)
    assert (await store.outbox_counts("int_1"))["pending"] == 1
    await store.close()


async def test_requests_committed_together_each_get_their_own_outcome(
    store: SQLiteStore,
) -> None:
    """Merged into one set of statements (GroupCommitWriter.run_merged), the requests of one
    group still answer apart: a message id already sent by an earlier request of the group is
    its retry, and each request's outbox rows are queued once."""
    commits = store.commits
    results = await in_one_group(
        store._writer,
        store.ingest([_record("a")]),
        store.ingest([_record("b"), _record("c", outbox=2)]),
        store.ingest([_record("a")]),
        store.ingest([_record("d")]),
    )
    assert results == [[True], [True, True], [False], [True]]
    assert store.commits == commits + 2  # the blocker's group, then the four requests
    assert (await store.outbox_counts("int_1"))["pending"] == 5
    assert store.received_events == 4
    assert store.queued_events == 5
    await store.close()
    with sqlite3.connect(store.path) as conn:
        stored = [row[0] for row in conn.execute("SELECT message_id FROM events ORDER BY seq")]
    assert stored == ["a", "b", "c", "d"]


async def test_a_big_request_commits_in_chunks_and_lets_a_small_one_through_first(
    store: SQLiteStore,
) -> None:
    """One writer: a 2,000-event batch in one transaction held every request behind it."""
    size = COMMIT_CHUNK_EVENTS * 8
    big = asyncio.create_task(store.ingest([_record(f"big-{i}") for i in range(size)]))
    await asyncio.sleep(0)  # its first chunk is with the writer
    commits = store.commits
    small = asyncio.create_task(store.ingest([_record("small")]))

    done, _ = await asyncio.wait({big, small}, return_when=asyncio.FIRST_COMPLETED)

    assert done == {small}
    assert await big == [True] * size
    assert store.commits >= commits + 8  # one per chunk (the small one joined one of them)
    again = await store.ingest([_record("big-0"), _record(f"big-{size - 1}"), _record("new")])
    assert again == [False, False, True]  # ids across chunks are still one key


async def test_a_merged_write_gives_each_request_its_own_queued_rows(store: SQLiteStore) -> None:
    requests = [[_record("a")], [_record("b", outbox=2), _record("a")], [_record("c")]]
    outcomes = await store._writer.run(lambda conn: write_requests(conn, requests))
    assert [stored for stored, _ in outcomes] == [[True], [True, False], [True]]
    queued = [[pending.seq for pending in rows] for _, rows in outcomes]
    assert [len(rows) for rows in queued] == [1, 2, 1]
    assert queued[0][0] < queued[1][0] < queued[1][1] < queued[2][0]  # commit order
    await store.close()


async def test_a_bad_request_merged_with_others_fails_alone(store: SQLiteStore) -> None:
    bad = msgspec.structs.replace(_record("bad"), type=cast(str, None))  # events.type is NOT NULL
    results = await in_one_group(
        store._writer,
        store.ingest([_record("first")]),
        store.ingest([bad]),
        store.ingest([_record("last")]),
    )
    assert results[0] == [True]
    assert results[2] == [True]
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert (await store.outbox_counts("int_1"))["pending"] == 2
    await store.close()
    with sqlite3.connect(store.path) as conn:
        stored = [row[0] for row in conn.execute("SELECT message_id FROM events ORDER BY seq")]
        queued = conn.execute("SELECT COUNT(*) FROM outbox_events").fetchone()[0]
    assert stored == ["first", "last"]
    assert queued == 2


async def test_an_operation_failing_alone_writes_nothing_and_the_next_commits(
    store: SQLiteStore,
) -> None:
    def half_then_broken(conn: sqlite3.Connection) -> None:
        assert conn.execute("DELETE FROM events").rowcount == 1  # undone with the rest
        conn.execute("INSERT INTO nowhere VALUES (1)")

    assert await store.ingest([_record("first")]) == [True]
    with pytest.raises(sqlite3.OperationalError):
        await store._writer.run(half_then_broken)  # a group of one: no savepoint
    assert await store.ingest([_record("second")]) == [True]
    await store.close()
    with sqlite3.connect(store.path) as conn:
        stored = [row[0] for row in conn.execute("SELECT message_id FROM events ORDER BY seq")]
    assert stored == ["first", "second"]
