"""The SQLite store's identity side: remembered click ids, default countries, match counts."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pinrelay.store.records import IdentityUpdate, IngestRecord, OutboxRow, StoredIdentity
from pinrelay.store.sqlite.store import SQLiteStore

pytestmark = pytest.mark.anyio


def _record(
    message_id: str, *rows: OutboxRow, identities: tuple[IdentityUpdate, ...] = ()
) -> IngestRecord:
    return IngestRecord(
        source_id="src_1",
        message_id=message_id,
        type="track",
        name="Order Completed",
        user_id="u1",
        anonymous_id=None,
        received_at=time.time(),
        body=b"{}",
        trace=b"[]",
        outbox=rows,
        identities=identities,
    )


def _row(*keys: str) -> OutboxRow:
    return OutboxRow("int_1", "e", "checkout", int(time.time()), b"{}", keys)


async def test_identities_and_source_countries_survive_a_restart(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "p.db")
    await store.open()
    source = await store.create_source(
        source_id="src_1", name="Shop", write_key_hash="h" * 64, write_key_hint="wk",
        default_country="GB",
    )  # fmt: skip
    assert source.default_country == "GB"
    update = IdentityUpdate("user", "u1", {"em": ["e" * 64]}, "EPIK", 42.0)
    await store.ingest([_record("m1", identities=(update,))])
    changed = await store.update_source("src_1", default_country="DE")
    assert (changed.name, changed.default_country) == ("Shop", "DE")
    await store.close()

    reopened = SQLiteStore(tmp_path / "p.db")
    await reopened.open()
    try:
        found_identities = await reopened.identities_for(
            "src_1", [("user", "u1"), ("anonymous", "nobody")]
        )
        assert found_identities == {
            ("user", "u1"): StoredIdentity({"em": ["e" * 64]}, "EPIK", 42.0),
            ("anonymous", "nobody"): StoredIdentity(),
        }
        assert await reopened.identity_keys("src_1", "user", "u1") == {"em": ["e" * 64]}
        found = reopened.source_for_write_key_hash("h" * 64)
        assert found is not None
        assert found.default_country == "DE"
    finally:
        await reopened.close()


async def test_match_key_counts_add_up_per_integration_and_skip_retries(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "p.db")
    await store.open()
    try:
        await store.ingest([_record("m1", _row("em", "ip_ua")), _record("m2", _row("em"))])
        await store.ingest([_record("m3", _row())])
        await store.ingest([_record("m1", _row("em", "ip_ua"))])  # an SDK retry: not counted
        counts = await store.match_key_counts("int_1", since=time.time() - 3600)
        assert counts == {"_events": 3, "em": 2, "ip_ua": 1}
        assert await store.match_key_counts("int_2", since=0) == {}
        assert await store.match_key_counts("int_1", since=time.time() + 7200) == {}
    finally:
        await store.close()
