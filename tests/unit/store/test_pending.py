"""The in-memory queues of the SQLite outbox: order, leases, retries, releases."""

from __future__ import annotations

import tracemalloc

from pinrelay.store.sqlite.pending import ARRIVALS_CHUNK, Pending, PendingIndex


def index_with(*seqs: int) -> PendingIndex:
    index = PendingIndex()
    for seq in seqs:
        index.add(Pending(seq, "int_1", event_time=0, created_at=float(seq), queued_at=float(seq)))
    return index


def claim(index: PendingIndex, limit: int = 10, now: float = 100.0) -> list[int]:
    return [p.seq for p in index.claim("int_1", limit=limit, now=now, lease_seconds=60)]


def test_never_tried_events_come_oldest_first_and_a_lease_excludes_them() -> None:
    index = index_with(1, 2, 3)
    assert claim(index, limit=2) == [1, 2]
    assert claim(index) == [3]
    assert claim(index) == []


def test_an_expired_lease_gives_the_events_back_in_order() -> None:
    index = index_with(1, 2, 3)
    assert claim(index) == [1, 2, 3]
    index.finish(2)
    assert claim(index, now=161.0) == [1, 3]


def test_a_released_event_goes_back_ahead_of_newer_arrivals() -> None:
    index = index_with(1, 2)
    assert claim(index, limit=1) == [1]
    index.add(Pending(3, "int_1", event_time=0, created_at=3.0, queued_at=3.0))
    index.requeue(1, attempts=0, due_at=100.0)
    assert claim(index) == [1, 2, 3]


def test_retries_wait_for_their_time_and_come_after_first_attempts() -> None:
    index = index_with(1, 2)
    assert claim(index, limit=1) == [1]
    index.requeue(1, attempts=1, due_at=150.0)
    assert claim(index, now=120.0) == [2]
    index.requeue(2, attempts=0, due_at=120.0)  # released (attempts unchanged)
    assert claim(index, limit=1, now=150.0) == [2]  # a first attempt takes the only place
    assert claim(index, limit=1, now=150.0) == [1]


def test_depth_and_oldest_are_per_integration() -> None:
    index = index_with(1, 2)
    index.add(Pending(3, "int_2", event_time=0, created_at=3.0, queued_at=3.0))
    assert (index.depth("int_1"), index.depth("int_2"), index.depth("nope")) == (2, 1, 0)
    assert index.oldest_queued_at("int_1") == 1.0
    assert claim(index, limit=1) == [1]
    index.finish(1)
    assert index.oldest_queued_at("int_1") == 2.0
    assert (index.depth("int_1"), index.depth("int_2")) == (1, 1)
    assert index.finish(99) == 0


def test_a_backlog_waits_packed_and_each_event_comes_out_once_in_order() -> None:
    """Never-tried events are stored packed across several array chunks until claimed; a
    claim reads them back with their times, mixed in seq order with released ones."""
    count = ARRIVALS_CHUNK * 2 + 5
    index = index_with(*range(1, count + 1))
    assert index.depth("int_1") == count
    first = index.claim("int_1", limit=3, now=100.0, lease_seconds=60)
    assert [(p.seq, p.created_at, p.queued_at, p.attempts) for p in first] == [
        (1, 1.0, 1.0, 0),
        (2, 2.0, 2.0, 0),
        (3, 3.0, 3.0, 0),
    ]
    index.requeue(2, attempts=0, due_at=100.0)  # released: back ahead of the arrivals
    taken = claim(index, limit=count)
    assert taken == [2, *range(4, count + 1)]
    assert claim(index) == []
    assert index.depth("int_1") == count  # all claimed, none finished yet
    assert index.oldest_queued_at("int_1") == 1.0


def test_an_event_added_again_while_leased_is_queued_once_with_its_new_state() -> None:
    index = index_with(1)
    assert claim(index, now=0.0) == [1]  # leased until 60
    index.add(Pending(1, "int_1", event_time=0, created_at=1.0, attempts=1, next_attempt_at=90.0))
    assert index._lanes["int_1"].leased == {}  # the old lease is gone with the old copy
    assert claim(index, now=100.0) == [1]  # the new copy, a retry due at 90: leased until 160
    assert claim(index, now=120.0) == []  # the first lease left no stale copy to hand out
    assert claim(index, now=161.0) == [1]


def test_a_backlog_of_never_tried_events_costs_tens_of_bytes_each() -> None:
    """Issue 15's bounded memory: a million queued rows while Pinterest is unreachable must
    not hold a Python object each (~340 bytes with its index entries: 553 MB for 1M)."""
    index = PendingIndex()
    events = 50_000
    tracing = tracemalloc.is_tracing()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for seq in range(1, events + 1):
            index.add(Pending(seq, "int_1", event_time=0, created_at=1.0, queued_at=1.0))
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        if not tracing:
            tracemalloc.stop()
    assert index.depth("int_1") == events
    assert grown / events < 64  # bytes per event: 32 packed, plus the arrays' spare room
