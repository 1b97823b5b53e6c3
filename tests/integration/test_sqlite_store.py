"""The SQLite store on a real file: migrations, group commit, idempotency, leases."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pinrelay.errors import MigrationError
from pinrelay.store.records import (
    DeliveryAttempt,
    EventFilter,
    EventOutcome,
    IdentityUpdate,
    IngestRecord,
    Integration,
    OutboxRow,
)
from pinrelay.store.sql import load_migrations
from pinrelay.store.sqlite.connection import connect, migrate
from pinrelay.store.sqlite.store import SQLiteStore
from tests.support.stores import opened_store, sample_integration

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
    now = time.time()
    rows = tuple(
        OutboxRow(
            integration_id,
            f"{message_id}",
            "checkout",
            int(now),
            b'{"event_id":"%s"}' % message_id.encode(),
        )
        for _ in range(outbox)
    )
    return IngestRecord(
        source_id="src_1",
        message_id=message_id,
        type="track",
        name="Order Completed",
        user_id="u1",
        anonymous_id=None,
        received_at=now,
        body=b"{}",
        trace=b"[]",
        outbox=rows,
        identities=identities,
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


async def test_concurrent_ingests_share_commits(store: SQLiteStore) -> None:
    before = store.commits
    results = await asyncio.gather(*(store.ingest([_record(f"m{i}")]) for i in range(200)))
    assert all(r == [True] for r in results)
    assert store.commits - before < 200  # group commit: several requests per fsync
    counts = await store.outbox_counts("int_1")
    assert counts["pending"] == 200
    await store.close()


async def test_a_repeated_message_id_is_stored_once(store: SQLiteStore) -> None:
    assert await store.ingest([_record("m1"), _record("m1")]) == [True, False]
    assert await store.ingest([_record("m1")]) == [False]
    assert (await store.outbox_counts("int_1"))["pending"] == 1
    assert len(await store.list_events(filters=EventFilter(), limit=10, before=None)) == 1
    await store.close()


async def test_claims_are_leases_that_exclude_other_claims(store: SQLiteStore) -> None:
    await store.ingest([_record(f"m{i}") for i in range(5)])
    now = time.time()
    first = await store.claim_batch("int_1", limit=3, now=now, lease_seconds=60)
    second = await store.claim_batch("int_1", limit=10, now=now, lease_seconds=60)
    assert [c.event_id for c in first] == ["m0", "m1", "m2"]
    assert [c.event_id for c in second] == ["m3", "m4"]
    assert await store.claim_batch("int_1", limit=10, now=now, lease_seconds=60) == []
    expired = await store.claim_batch("int_1", limit=10, now=now + 61, lease_seconds=60)
    assert len(expired) == 5
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


async def test_outcomes_move_rows_to_their_final_state(store: SQLiteStore) -> None:
    await store.ingest([_record(f"m{i}") for i in range(4)])
    now = time.time()
    claimed = await store.claim_batch("int_1", limit=10, now=now, lease_seconds=60)
    attempt = DeliveryAttempt("int_1", now, 12.5, 4, 200, "partial", "1 of 4 failed", False)
    await store.record_outcomes(
        [
            EventOutcome(claimed[0].seq, "delivered", "click_id is missing"),
            EventOutcome(claimed[1].seq, "dead", "Invalid event_timestamp"),
            EventOutcome(claimed[2].seq, "retry", "HTTP 503", next_attempt_at=now + 30),
            EventOutcome(claimed[3].seq, "release", "paused", attempted=False),
        ],
        attempt,
    )
    entries = {
        e.event_id: e for e in await store.list_outbox("int_1", status=None, limit=10, before=None)
    }
    assert (entries["m0"].status, entries["m0"].warning) == ("delivered", "click_id is missing")
    assert (entries["m1"].status, entries["m1"].last_error) == ("dead", "Invalid event_timestamp")
    assert (entries["m2"].status, entries["m2"].attempts) == ("pending", 1)
    assert (entries["m3"].status, entries["m3"].attempts) == ("pending", 0)
    due_now = await store.claim_batch("int_1", limit=10, now=now + 1, lease_seconds=60)
    assert [c.event_id for c in due_now] == ["m3"]  # m2 waits for its backoff
    assert (await store.list_attempts("int_1", limit=5))[0].message == "1 of 4 failed"
    await store.close()


async def test_identity_keys_survive_a_restart(tmp_path: Path, store: SQLiteStore) -> None:
    keys = {"em": ["a" * 64]}
    await store.ingest([_record("m1", identities=(IdentityUpdate("user", "u1", keys),))])
    assert await store.identity_keys("src_1", "user", "u1") == keys
    await store.close()
    reopened = SQLiteStore(store.path)
    await reopened.open()
    assert await reopened.identity_keys("src_1", "user", "u1") == keys
    assert await reopened.identity_keys("src_1", "user", "nobody") == {}
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


async def test_pause_is_remembered(store: SQLiteStore) -> None:
    await store.pause_integration("int_1", "conversion token rejected")
    paused = store.get_integration("int_1")
    assert paused is not None
    assert paused.paused_reason == "conversion token rejected"
    await store.close()
    reopened = SQLiteStore(store.path)
    await reopened.open()
    paused = reopened.get_integration("int_1")
    assert paused is not None
    assert not paused.active
    await reopened.close()
