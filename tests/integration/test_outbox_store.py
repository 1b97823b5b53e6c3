"""The immutable outbox (migration 0002): marks, lane order, replay, reclaim, and old databases."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from pinrelay.store.records import EventOutcome
from pinrelay.store.sql import load_migrations
from pinrelay.store.sqlite.connection import connect
from pinrelay.store.sqlite.store import SQLiteStore
from tests.integration.test_sqlite_store import _integration, _record

pytestmark = pytest.mark.anyio
WEEK = 7 * 86400


async def _opened(path: Path) -> SQLiteStore:
    store = SQLiteStore(path)
    await store.open()
    return store


@pytest.fixture
async def store(tmp_path: Path) -> SQLiteStore:
    opened = await _opened(tmp_path / "pinrelay.db")
    await opened.create_source(
        source_id="src_1", name="Shop", write_key_hash="h" * 64, write_key_hint="wk_abcd…"
    )
    await opened.create_integration(_integration())
    return opened


async def test_payload_rows_are_never_updated_only_marked(store: SQLiteStore) -> None:
    await store.ingest([_record("m1")])
    claimed = await store.claim_batch("int_1", limit=10, now=time.time(), lease_seconds=60)
    await store.record_outcomes([EventOutcome(claimed[0].seq, "delivered", "warn")], None)
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT COUNT(*) FROM outbox_events").fetchone()[0] == 1
    marks = conn.execute("SELECT status, attempts, warning FROM outbox_marks").fetchall()
    assert marks == [("delivered", 1, "warn")]
    await store.close()


async def test_delivered_rows_are_reclaimed_after_the_retention(store: SQLiteStore) -> None:
    await store.ingest([_record(f"m{i}") for i in range(5)])
    now = time.time()
    claimed = await store.claim_batch("int_1", limit=10, now=now, lease_seconds=60)
    await store.record_outcomes(
        [EventOutcome(c.seq, "delivered") for c in claimed[:3]]
        + [EventOutcome(claimed[3].seq, "dead", "bad")],
        None,
    )
    assert await store.reclaim_delivered(before=now - 60) == 0  # still within the retention
    assert await store.reclaim_delivered(before=time.time() + 1) == 3
    assert await store.outbox_counts("int_1") == {"pending": 1, "delivered": 0, "dead": 1}
    conn = sqlite3.connect(store.path)
    assert conn.execute("SELECT COUNT(*) FROM outbox_marks").fetchone()[0] == 1
    await store.close()


async def test_a_version_1_database_keeps_every_entry_and_state(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = connect(path)
    version, name, sql = load_migrations("pinrelay.store.sqlite.migrations")[0]
    conn.executescript(sql)
    conn.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at REAL)"
    )
    conn.execute("INSERT INTO schema_migrations VALUES (?, ?, 0)", (version, name))
    integration = _integration()
    conn.execute(
        "INSERT INTO sources VALUES ('src_1', 'Shop', 'hash', 'wk_', 0, 0)",
    )
    conn.execute(
        "INSERT INTO integrations (id, source_id, vendor, name, enabled, ad_account_id, "
        "conversion_token_enc, conversion_token_hint, created_at, updated_at) "
        "VALUES (?, 'src_1', 'pinterest_ads', 'P', 1, '123', x'00', 'abcd', 0, 0)",
        (integration.id,),
    )
    now = time.time()
    rows = [
        # seq, event_id, status, attempts, next_attempt_at, last_error, warning
        (1, "delivered", "delivered", 1, now, None, "click_id is missing"),
        (2, "dead", "dead", 1, now, "Invalid event_timestamp", None),
        (3, "retrying", "pending", 2, now + 3600, "HTTP 503", None),
        (4, "new", "pending", 0, now, None, None),
    ]
    for seq, event_id, status, attempts, next_at, error, warning in rows:
        conn.execute(
            "INSERT INTO outbox (seq, integration_id, event_seq, event_id, event_name, event_time,"
            " payload, created_at, status, attempts, next_attempt_at, lease_until, last_error,"
            " warning, updated_at) VALUES (?, 'int_1', 1, ?, 'checkout', ?, ?, ?, ?, ?, ?, 0, ?,"
            " ?, ?)",
            (seq, event_id, int(now), b"{}", now, status, attempts, next_at, error, warning, now),
        )
    conn.close()

    store = await _opened(path)
    entries = {
        e.event_id: e for e in await store.list_outbox("int_1", status=None, limit=10, before=None)
    }
    assert (entries["delivered"].status, entries["delivered"].warning) == (
        "delivered",
        "click_id is missing",
    )
    assert (entries["dead"].status, entries["dead"].last_error) == (
        "dead",
        "Invalid event_timestamp",
    )
    assert (entries["retrying"].status, entries["retrying"].attempts) == ("pending", 2)
    assert (entries["new"].status, entries["new"].attempts) == ("pending", 0)
    due = await store.claim_batch("int_1", limit=10, now=now + 1, lease_seconds=7200)
    assert [c.event_id for c in due] == ["new"]
    later = await store.claim_batch("int_1", limit=10, now=now + 3601, lease_seconds=60)
    assert [c.event_id for c in later] == ["retrying"]
    await store.ingest([_record("after")])
    (after,) = await store.claim_batch("int_1", limit=10, now=time.time(), lease_seconds=60)
    assert after.seq > 4  # seqs keep growing past the migrated ones
    await store.close()
