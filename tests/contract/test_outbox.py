"""Contract: leases, outcomes, retries, dead letters, replay, reclaim, the rate limit."""

from __future__ import annotations

import time

import pytest

from pinrelay.store.base import Store
from pinrelay.store.records import DeadFilter, DeliveryAttempt, EventOutcome
from tests.contract.conftest import Reopen, record, shared
from tests.support.stores import INTEGRATION_ID

pytestmark = pytest.mark.anyio
WEEK = 7 * 86400


async def test_claims_are_leases_that_exclude_other_claims(store: Store) -> None:
    await store.ingest([record(f"m{i}") for i in range(5)])
    now = time.time()
    first = await store.claim_batch(INTEGRATION_ID, limit=3, now=now, lease_seconds=60)
    second = await store.claim_batch(INTEGRATION_ID, limit=10, now=now, lease_seconds=60)
    assert [c.event_id for c in first] == ["m0", "m1", "m2"]
    assert [c.event_id for c in second] == ["m3", "m4"]
    assert first[0].payload == b'{"event_id":"m0"}'
    assert await store.claim_batch(INTEGRATION_ID, limit=10, now=now, lease_seconds=60) == []
    expired = await store.claim_batch(INTEGRATION_ID, limit=10, now=now + 61, lease_seconds=60)
    assert len(expired) == 5


async def test_outcomes_move_rows_to_their_final_state(store: Store) -> None:
    await store.ingest([record(f"m{i}") for i in range(4)])
    now = time.time()
    claimed = await store.claim_batch(INTEGRATION_ID, limit=10, now=now, lease_seconds=60)
    attempt = DeliveryAttempt(INTEGRATION_ID, now, 12.5, 4, 200, "partial", "1 of 4 failed", False)
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
        e.event_id: e
        for e in await store.list_outbox(INTEGRATION_ID, status=None, limit=10, before=None)
    }
    assert (entries["m0"].status, entries["m0"].warning) == ("delivered", "click_id is missing")
    assert (entries["m1"].status, entries["m1"].last_error) == ("dead", "Invalid event_timestamp")
    assert (entries["m2"].status, entries["m2"].attempts) == ("pending", 1)
    assert (entries["m3"].status, entries["m3"].attempts) == ("pending", 0)
    dead_only = await store.list_outbox(INTEGRATION_ID, status="dead", limit=10, before=None)
    assert [e.event_id for e in dead_only] == ["m1"]
    assert await store.outbox_counts(INTEGRATION_ID) == {"pending": 2, "delivered": 1, "dead": 1}
    due_now = await store.claim_batch(INTEGRATION_ID, limit=10, now=now + 1, lease_seconds=60)
    assert [c.event_id for c in due_now] == ["m3"]  # m2 waits for its backoff
    (logged,) = await store.list_attempts(INTEGRATION_ID, limit=5)
    assert (logged.message, logged.http_status, logged.test) == ("1 of 4 failed", 200, False)


async def test_first_attempts_are_claimed_ahead_of_due_retries(store: Store) -> None:
    await store.ingest([record("old")])
    now = time.time()
    (old,) = await store.claim_batch(INTEGRATION_ID, limit=10, now=now, lease_seconds=60)
    await store.record_outcomes([EventOutcome(old.seq, "retry", "503", next_attempt_at=now)], None)
    await store.ingest([record("new")])
    first = await store.claim_batch(INTEGRATION_ID, limit=1, now=now + 1, lease_seconds=60)
    second = await store.claim_batch(INTEGRATION_ID, limit=1, now=now + 1, lease_seconds=60)
    assert [c.event_id for c in first + second] == ["new", "old"]
    assert second[0].attempts == 1


async def test_pending_state_survives_a_restart(store: Store, reopen: Reopen) -> None:
    await store.ingest([record(f"m{i}") for i in range(3)])
    now = time.time()
    claimed = await store.claim_batch(INTEGRATION_ID, limit=2, now=now, lease_seconds=60)
    await store.record_outcomes(
        [
            EventOutcome(claimed[0].seq, "delivered"),
            EventOutcome(claimed[1].seq, "retry", "503", next_attempt_at=now + 3600),
        ],
        None,
    )
    if not store.multi_process:
        await store.close()
    again = await reopen()
    due = await again.claim_batch(INTEGRATION_ID, limit=10, now=now + 1, lease_seconds=7200)
    assert [c.event_id for c in due] == ["m2"]
    later = await again.claim_batch(INTEGRATION_ID, limit=10, now=now + 3601, lease_seconds=60)
    assert [(c.event_id, c.attempts) for c in later] == [("m1", 1)]
    assert await again.outbox_counts(INTEGRATION_ID) == {"pending": 2, "delivered": 1, "dead": 0}


async def test_due_times_and_the_oldest_waiting_event(store: Store) -> None:
    assert await store.next_due_at(INTEGRATION_ID) is None
    assert await store.oldest_pending_created_at(INTEGRATION_ID) is None
    received = time.time() - 100
    await store.ingest([record("m1", received_at=received), record("m2")])
    assert await store.oldest_pending_created_at(INTEGRATION_ID) == pytest.approx(received)
    due = await store.next_due_at(INTEGRATION_ID)
    assert due == pytest.approx(received)
    await store.refresh_lane_stats()
    (lane,) = store.lane_stats()
    assert (lane.integration_id, lane.pending) == (INTEGRATION_ID, 2)


async def test_replay_requeues_dead_events_but_not_those_older_than_seven_days(
    store: Store,
) -> None:
    await store.ingest([record("fresh"), record("stale")])
    now = time.time()
    claimed = await store.claim_batch(INTEGRATION_ID, limit=10, now=now, lease_seconds=60)
    await store.record_outcomes([EventOutcome(c.seq, "dead", "bad") for c in claimed], None)
    dead = await store.list_dead(DeadFilter(integration_id=INTEGRATION_ID), limit=10)
    assert {(d.event_id, d.reason) for d in dead} == {("fresh", "bad"), ("stale", "bad")}
    assert [d.event_id for d in await store.list_dead(DeadFilter(), limit=1)] == ["stale"]
    result = await store.replay_dead(
        DeadFilter(seqs=tuple(c.seq for c in claimed)),
        now=now + 8 * 86400,
        max_age_seconds=WEEK,
        limit=10,
    )
    assert result.replayed == ()
    assert len(result.skipped) == 2
    assert "7 days" in result.skipped[0][1]
    result = await store.replay_dead(
        DeadFilter(integration_id=INTEGRATION_ID), now=now, max_age_seconds=WEEK, limit=10
    )
    assert sorted(result.replayed) == sorted(c.seq for c in claimed)
    again = await store.claim_batch(INTEGRATION_ID, limit=10, now=now + 1, lease_seconds=60)
    assert {(c.event_id, c.attempts) for c in again} == {("fresh", 0), ("stale", 0)}
    assert await store.list_dead(DeadFilter(), limit=10) == []


async def test_delivered_rows_are_reclaimed_after_the_retention(store: Store) -> None:
    await store.ingest([record(f"m{i}") for i in range(5)])
    now = time.time()
    claimed = await store.claim_batch(INTEGRATION_ID, limit=10, now=now, lease_seconds=60)
    await store.record_outcomes(
        [EventOutcome(c.seq, "delivered") for c in claimed[:3]]
        + [EventOutcome(claimed[3].seq, "dead", "bad")],
        None,
    )
    assert await store.reclaim_delivered(before=now - 60) == 0  # still within the retention
    assert await store.reclaim_delivered(before=time.time() + 1) == 3
    assert await store.outbox_counts(INTEGRATION_ID) == {"pending": 1, "delivered": 0, "dead": 1}


async def test_the_send_limit_refuses_a_closed_account(store: Store) -> None:
    limits = store.send_limits(60_000)  # 1000 per second: a few tokens at once
    await limits.acquire("acct")
    await limits.close_for("acct", 30)
    assert await limits.wait_seconds("acct") > 20
    assert await limits.wait_seconds("other") == 0


async def test_a_live_lease_keeps_the_rows_from_every_other_process(
    store: Store, reopen: Reopen
) -> None:
    shared(store)
    other = await reopen()
    await store.ingest([record(f"m{i}") for i in range(4)])
    now = time.time()
    mine = await store.claim_batch(INTEGRATION_ID, limit=2, now=now, lease_seconds=30)
    theirs = await other.claim_batch(INTEGRATION_ID, limit=10, now=now, lease_seconds=300)
    assert {c.event_id for c in mine} == {"m0", "m1"}
    assert {c.event_id for c in theirs} == {"m2", "m3"}
    assert await other.claim_batch(INTEGRATION_ID, limit=10, now=now + 29, lease_seconds=30) == []
    # The first worker dies; once its leases expire the other takes its rows.
    taken = await other.claim_batch(INTEGRATION_ID, limit=10, now=now + 31, lease_seconds=30)
    assert {c.event_id for c in taken} == {"m0", "m1"}
    # A late answer of the first worker changes nothing while the other holds the lease.
    await store.record_outcomes([EventOutcome(mine[0].seq, "dead", "late")], None)
    await other.record_outcomes([EventOutcome(taken[0].seq, "delivered")], None)
    entries = await store.list_outbox(INTEGRATION_ID, status="delivered", limit=10, before=None)
    assert [e.event_id for e in entries] == [mine[0].event_id]
    assert await store.list_dead(DeadFilter(), limit=10) == []


async def test_the_send_limit_is_shared_by_every_process(store: Store, reopen: Reopen) -> None:
    shared(store)
    other = await reopen()
    await store.send_limits(60).close_for("acct", 30)
    assert await other.send_limits(60).wait_seconds("acct") > 20
