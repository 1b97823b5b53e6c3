"""Contract: ingest (one commit, idempotent), the event log's reads, identities, retention."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from pinrelay.store.base import Store
from pinrelay.store.records import EventFilter, IdentityUpdate, StoredIdentity
from tests.contract.conftest import Reopen, record
from tests.support.stores import INTEGRATION_ID, SOURCE_ID

pytestmark = pytest.mark.anyio


async def test_a_repeated_message_id_is_stored_once(store: Store) -> None:
    assert await store.ingest([record("m1"), record("m1")]) == [True, False]
    assert await store.ingest([record("m1"), record("m2")]) == [False, True]
    assert (await store.outbox_counts(INTEGRATION_ID))["pending"] == 2
    assert len(await store.list_events(filters=EventFilter(), limit=10, before=None)) == 2


async def test_concurrent_ingests_share_commits(store: Store) -> None:
    before = store.commits  # type: ignore[attr-defined]
    results = await asyncio.gather(*(store.ingest([record(f"m{i}")]) for i in range(200)))
    assert all(r == [True] for r in results)
    assert store.commits - before < 200  # type: ignore[attr-defined]  # group commit
    assert (await store.outbox_counts(INTEGRATION_ID))["pending"] == 200
    assert store.received_events >= 200


async def test_events_are_read_back_newest_first_with_filters(store: Store) -> None:
    queued = json.dumps([{"integration_id": INTEGRATION_ID, "outcome": "queued"}]).encode()
    filtered = json.dumps([{"integration_id": INTEGRATION_ID, "outcome": "filtered"}]).encode()
    await store.ingest([record("m1", trace=queued), record("m2", trace=filtered, user_id="u2")])
    everything = await store.list_events(filters=EventFilter(), limit=10, before=None)
    assert [e.message_id for e in everything] == ["m2", "m1"]
    assert everything[1].body == {"event": "Order Completed"}
    assert everything[1].trace == [{"integration_id": INTEGRATION_ID, "outcome": "queued"}]
    only = await store.list_events(filters=EventFilter(outcome="filtered"), limit=10, before=None)
    assert [e.message_id for e in only] == ["m2"]
    by_user = await store.list_events(filters=EventFilter(user_id="u1"), limit=10, before=None)
    assert [e.message_id for e in by_user] == ["m1"]
    older = await store.list_events(filters=EventFilter(), limit=10, before=everything[0].seq)
    assert [e.message_id for e in older] == ["m1"]
    newer = await store.list_events(
        filters=EventFilter(after=everything[1].seq), limit=10, before=None
    )
    assert [e.message_id for e in newer] == ["m2"]
    assert await store.get_event(everything[0].seq) == everything[0]
    assert await store.get_event(10**9) is None
    assert await store.count_outcomes(None) == {INTEGRATION_ID: {"queued": 1, "filtered": 1}}
    assert await store.count_outcomes("other") == {}


async def test_an_events_journey_shows_its_payloads_and_state(store: Store) -> None:
    await store.ingest([record("m1", outbox=2)])
    (event,) = await store.list_events(filters=EventFilter(), limit=1, before=None)
    steps = await store.journey(event.seq)
    assert [(s.entry.event_id, s.entry.status) for s in steps] == [("m1", "pending")] * 2
    assert steps[0].payload == {"event_id": "m1"}


async def test_identities_are_looked_up_in_one_batch(store: Store, reopen: Reopen) -> None:
    updates = (
        IdentityUpdate("user", "u1", {"em": ["e" * 64]}, "EPIK", 42.0),
        IdentityUpdate("anonymous", "a1", {"ph": ["p" * 64]}),
    )
    await store.ingest([record("m1", identities=updates)])
    asked = [("user", "u1"), ("anonymous", "a1"), ("anonymous", "nobody")]
    expected = {
        ("user", "u1"): StoredIdentity({"em": ["e" * 64]}, "EPIK", 42.0),
        ("anonymous", "a1"): StoredIdentity({"ph": ["p" * 64]}),
        ("anonymous", "nobody"): StoredIdentity(),
    }
    assert await store.identities_for(SOURCE_ID, asked) == expected
    assert await store.identity_keys(SOURCE_ID, "user", "u1") == {"em": ["e" * 64]}
    if not store.multi_process:
        await store.close()
    assert await (await reopen()).identities_for(SOURCE_ID, asked) == expected


async def test_a_remembered_click_id_is_kept_until_a_newer_one(store: Store) -> None:
    await store.ingest(
        [record("m1", identities=(IdentityUpdate("user", "u1", {"em": ["a"]}, "OLD", 1.0),))]
    )
    await store.ingest([record("m2", identities=(IdentityUpdate("user", "u1", {"em": ["b"]}),))])
    found = await store.identities_for(SOURCE_ID, [("user", "u1")])
    assert found[("user", "u1")] == StoredIdentity({"em": ["b"]}, "OLD", 1.0)
    await store.ingest(
        [record("m3", identities=(IdentityUpdate("user", "u1", {"em": ["b"]}, "NEW", 2.0),))]
    )
    found = await store.identities_for(SOURCE_ID, [("user", "u1")])
    assert found[("user", "u1")].click_id == "NEW"


async def test_a_retry_updates_no_identity(store: Store) -> None:
    await store.ingest([record("m1", identities=(IdentityUpdate("user", "u1", {"em": ["a"]}),))])
    await store.ingest([record("m1", identities=(IdentityUpdate("user", "u1", {"em": ["z"]}),))])
    assert await store.identity_keys(SOURCE_ID, "user", "u1") == {"em": ["a"]}


async def test_match_key_counts_add_up_per_integration_and_skip_retries(store: Store) -> None:
    await store.ingest([record("m1", keys=("em", "ip_ua")), record("m2", keys=("em",))])
    await store.ingest([record("m3")])
    await store.ingest([record("m1", keys=("em", "ip_ua"))])  # an SDK retry: not counted
    counts = await store.match_key_counts(INTEGRATION_ID, since=time.time() - 3600)
    assert counts == {"_events": 3, "em": 2, "ip_ua": 1}
    assert await store.match_key_counts("int_2", since=0) == {}
    assert await store.match_key_counts(INTEGRATION_ID, since=time.time() + 7200) == {}


async def test_retention_prunes_old_events_and_attempts_in_chunks(store: Store) -> None:
    old = time.time() - 40 * 86400
    await store.ingest([record(f"old{i}", received_at=old) for i in range(5)] + [record("new")])
    assert await store.prune("events", cutoff=time.time() - 86400, chunk=3) == 3
    assert await store.prune("events", cutoff=time.time() - 86400, chunk=3) == 2
    left = await store.list_events(filters=EventFilter(), limit=10, before=None)
    assert [e.message_id for e in left] == ["new"]
    assert await store.prune("attempts", cutoff=time.time(), chunk=10) == 0
    with pytest.raises(Exception, match="nothing to prune"):
        await store.prune("sources", cutoff=time.time(), chunk=10)


async def test_the_audit_log_reads_back_newest_first(store: Store) -> None:
    await store.audit(actor="env", action="source.create", target="s1", details={"a": 1})
    await store.audit(actor="tok_1", action="source.delete", target="s1", details={})
    entries = await store.list_audit(limit=10, before=None)
    assert [(e.actor, e.action, e.details) for e in entries] == [
        ("tok_1", "source.delete", {}),
        ("env", "source.create", {"a": 1}),
    ]
    assert [e.action for e in await store.list_audit(limit=10, before=entries[0].id)] == [
        "source.create"
    ]
