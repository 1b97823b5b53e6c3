"""`pinrelay move-data`: a SQLite file's catalog, identities and open outbox land in PostgreSQL."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from pinrelay.store.engines import open_store
from pinrelay.store.records import DeadFilter, EventFilter, EventOutcome, IdentityUpdate
from tests.contract.conftest import record
from tests.e2e.processes import PINRELAY
from tests.support.postgres import PostgresServer
from tests.support.stores import INTEGRATION_ID, SOURCE_ID, opened_store

pytestmark = pytest.mark.anyio


async def _fill(path: Path) -> None:
    async with opened_store(path) as store:
        await store.update_source_browser(
            SOURCE_ID,
            allowed_origins=("https://shop.example",),
            cookie_domain=None,
            consent_required=True,
            tag_dedup=False,
        )
        await store.create_admin_token(
            token_id="tok_1", name="ci", token_hash="t" * 64, token_hint="pr_ab"
        )
        await store.save_pipeline(INTEGRATION_ID, "main", "a: 1", now=1.0)
        await store.save_pipeline(INTEGRATION_ID, "main", "a: 2", now=2.0)
        update = IdentityUpdate("user", "u1", {"em": ["e" * 64]}, "EPIK", 5.0)
        await store.ingest(
            [record("delivered"), record("dead"), record("pending", identities=(update,))]
        )
        claimed = await store.claim_batch(
            INTEGRATION_ID, limit=2, now=time.time(), lease_seconds=60
        )
        await store.record_outcomes(
            [
                EventOutcome(claimed[0].seq, "delivered"),
                EventOutcome(claimed[1].seq, "dead", "Invalid event_timestamp"),
            ],
            None,
        )


def _move(source: str, target: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PINRELAY, "move-data", "--from", source, "--to", target, *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_move_data_copies_the_catalog_identities_and_open_outbox(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    path = tmp_path / "pinrelay.db"
    await _fill(path)
    target = postgres_server.empty_database()
    moved = _move(f"sqlite:///{path}", target)
    assert moved.returncode == 0, moved.stderr
    assert "2 outbox" in moved.stderr  # the pending and the dead entry; not the delivered

    store = open_store(target)
    await store.open()
    try:
        source = store.source_for_write_key_hash("h" * 64)
        assert source is not None
        assert (source.id, source.allowed_origins, source.consent_required) == (
            SOURCE_ID,
            ("https://shop.example",),
            True,
        )
        integration = store.get_integration(INTEGRATION_ID)
        assert integration is not None
        assert integration.conversion_token_enc == b"cipher"  # still encrypted, same bytes
        assert store.admin_token_for_hash("t" * 64) is not None
        assert [p.version for p in store.list_pipelines(INTEGRATION_ID)] == [2]
        assert len(await store.pipeline_versions(INTEGRATION_ID, "main")) == 2
        found = await store.identities_for(SOURCE_ID, [("user", "u1")])
        assert found[("user", "u1")].click_id == "EPIK"
        assert await store.outbox_counts(INTEGRATION_ID) == {
            "pending": 1,
            "delivered": 0,
            "dead": 1,
        }
        (dead,) = await store.list_dead(DeadFilter(), limit=10)
        assert (dead.event_id, dead.reason) == ("dead", "Invalid event_timestamp")
        (pending,) = await store.claim_batch(
            INTEGRATION_ID, limit=10, now=time.time(), lease_seconds=60
        )
        assert pending.event_id == "pending"
        events = await store.list_events(filters=EventFilter(), limit=10, before=None)
        assert sorted(e.message_id for e in events) == ["dead", "pending"]
        await store.ingest([record("after")])  # seqs continue past the copied ones
        newest = await store.list_events(filters=EventFilter(), limit=1, before=None)
        assert newest[0].message_id == "after"
    finally:
        await store.close()


async def test_move_data_refuses_a_non_empty_target_unless_forced(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    path = tmp_path / "pinrelay.db"
    await _fill(path)
    target = postgres_server.empty_database()
    assert _move(f"sqlite:///{path}", target).returncode == 0
    again = _move(f"sqlite:///{path}", target)
    assert again.returncode == 2
    assert "already holds pinrelay data" in again.stderr
    assert "--force" in again.stderr
    forced = _move(f"sqlite:///{path}", target, "--force")
    assert forced.returncode == 0, forced.stderr


def test_move_data_only_goes_from_sqlite_to_postgresql(tmp_path: Path) -> None:
    moved = _move(f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}")
    assert moved.returncode == 2
    assert "--to postgresql://" in moved.stderr
