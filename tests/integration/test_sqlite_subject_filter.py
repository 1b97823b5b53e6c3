"""The SQLite store answers a new visitor without a read, and still forgets no one it stored.

One process owns a SQLite file, so the store knows every subject it ever wrote an identity
for (store/sqlite/subjectfilter.py). These tests hold it to the one promise that matters:
a stored identity is always found, across a restart and for a caller that hung up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from pinrelay.store.records import IdentityKind, IdentityUpdate, StoredIdentity
from pinrelay.store.sqlite import subjectfilter
from pinrelay.store.sqlite.store import SQLiteStore
from tests.support.records import SOURCE_ID, ingest_record
from tests.support.stores import opened_store

pytestmark = pytest.mark.anyio


async def _filter_loaded(store: SQLiteStore) -> None:
    deadline = time.monotonic() + 10
    while not store.subjects_loaded:
        assert time.monotonic() < deadline, "the subject filter never finished loading"
        await asyncio.sleep(0.01)


def _count_reads(store: SQLiteStore) -> list[int]:
    reads = [0]
    original: Callable[..., Any] = store._read

    async def counted(query: Callable[..., Any]) -> Any:
        reads[0] += 1
        return await original(query)

    store._read = counted  # type: ignore[method-assign]
    return reads


def _user(subject: str, email_hash: str = "e" * 64) -> IdentityUpdate:
    return IdentityUpdate("user", subject, {"em": [email_hash]}, "EPIK", 42.0)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    async with opened_store(tmp_path / "pinrelay.db") as opened:
        await _filter_loaded(opened)
        yield opened


async def test_a_new_visitor_is_answered_without_a_read(store: SQLiteStore) -> None:
    reads = _count_reads(store)
    asked = [("user", "new"), ("anonymous", "new-device")]
    found = await store.identities_for(SOURCE_ID, asked)
    assert found == dict.fromkeys(asked, StoredIdentity())
    assert reads == [0]


async def test_a_stored_visitor_missing_from_the_cache_is_read(store: SQLiteStore) -> None:
    await store.ingest([ingest_record("m1", identities=(_user("u1"),))])
    store._identities.forget(SOURCE_ID, "user", "u1")
    reads = _count_reads(store)
    found = await store.identities_for(SOURCE_ID, [("user", "u1")])
    assert found[("user", "u1")] == StoredIdentity({"em": ["e" * 64]}, "EPIK", 42.0)
    assert reads == [1]


async def test_identities_stored_before_a_restart_are_all_found_after_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pinrelay.db"
    users = [f"user-{n}" for n in range(300)]
    async with opened_store(path) as store:
        records = [ingest_record(f"m{n}", identities=(_user(u),)) for n, u in enumerate(users)]
        assert all(await store.ingest(records))
    reopened = SQLiteStore(path)
    await reopened.open()
    try:
        await _filter_loaded(reopened)
        found = await reopened.identities_for(SOURCE_ID, [("user", u) for u in users])
    finally:
        await reopened.close()
    assert all(found[("user", u)].match_keys == {"em": ["e" * 64]} for u in users)


async def test_the_table_is_read_in_short_chunks_that_skip_no_subject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each chunk is its own read (no snapshot held across the load, so the WAL can be
    checkpointed meanwhile), resumed after the last key: across sources, kinds and subjects
    that are prefixes of others, every stored subject is in the filter."""
    monkeypatch.setattr(subjectfilter, "LOAD_CHUNK", 3)
    path = tmp_path / "pinrelay.db"
    kinds: tuple[IdentityKind, ...] = ("anonymous", "user")
    stored = [
        (source, kind, subject)
        for source in ("src_1", "src_2")
        for kind in kinds
        for subject in ("u1", "u10", "u2", "v")
    ]
    async with opened_store(path) as store:
        records = [
            ingest_record(
                f"m{n}",
                source_id=source,
                identities=(IdentityUpdate(kind, subject, {"em": ["e" * 64]}, None, 0.0),),
            )
            for n, (source, kind, subject) in enumerate(stored)
        ]
        assert all(await store.ingest(records))
    reopened = SQLiteStore(path)
    await reopened.open()
    try:
        await _filter_loaded(reopened)
        assert all(reopened._subjects.may_hold(*subject) for subject in stored)
    finally:
        await reopened.close()


async def test_a_commit_whose_caller_hung_up_is_still_remembered(store: SQLiteStore) -> None:
    ingest = asyncio.ensure_future(store.ingest([ingest_record("m1", identities=(_user("u1"),))]))
    await asyncio.sleep(0)  # handed to the writer
    ingest.cancel()
    deadline = time.monotonic() + 10
    while store.received_events == 0:  # counted when the commit completes, caller or not
        assert time.monotonic() < deadline, "the event was never committed"
        await asyncio.sleep(0.01)
    assert ingest.cancelled()
    store._identities.forget(SOURCE_ID, "user", "u1")  # the cache only learns for a caller
    found = await store.identities_for(SOURCE_ID, [("user", "u1")])
    assert found[("user", "u1")].match_keys == {"em": ["e" * 64]}


async def test_a_closed_store_says_its_filter_is_not_loaded(tmp_path: Path) -> None:
    async with opened_store(tmp_path / "pinrelay.db") as opened:
        await _filter_loaded(opened)
        assert opened.subjects_loaded
    assert not opened.subjects_loaded  # closed: whatever it knew is gone with it
