"""The in-memory index of pending outbox events, per integration (the lanes' queues).

One process owns a SQLite file (store/sqlite/store.py), so what is pending, leased or due is
known here exactly, and a claim costs no database write at all: the database keeps only the
immutable payloads and the append-only marks. Leases live here too, so a restart releases
every lease at once (issue 4, crash safety), and a lease that outlives its worker in this
process comes back when it expires.

First attempts run ahead of retries: a claim takes never-tried events (oldest first) before
due retries, so a backlog of failing events never delays fresh ones.

A backlog is nearly all never-tried events (Pinterest down for a day, a million-row import
while it is unreachable), so those wait packed in arrays (`Arrivals`, 32 bytes each), and
become `Pending` objects (~340 bytes with their index entries) only once claimed: a million
queued events hold ~32 MB, not ~340 MB.
"""

from __future__ import annotations

import heapq
import itertools
from array import array
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

ARRIVALS_CHUNK = 4096  # packed arrivals per array chunk


@dataclass(slots=True)
class Pending:
    """What the index knows of one pending event (the payload stays in the database)."""

    seq: int
    integration_id: str
    event_time: int
    created_at: float
    attempts: int = 0
    next_attempt_at: float = 0.0
    queued_at: float = 0.0  # when it (re-)entered the queue: received, or replayed
    lease_until: float = 0.0
    version: int = 0  # bumped on every change; heap entries of older versions are stale


class Arrivals:
    """Never-tried events in seq order, packed: (seq, event_time, created_at, queued_at) in
    chunks of four arrays, appended at the end and taken from the front."""

    __slots__ = ("_chunks", "_head", "_size")

    def __init__(self) -> None:
        self._chunks: deque[tuple[array[int], array[int], array[float], array[float]]] = deque()
        self._head = 0  # index of the first item in the first chunk
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, seq: int, event_time: int, created_at: float, queued_at: float) -> None:
        if not self._chunks or len(self._chunks[-1][0]) >= ARRIVALS_CHUNK:
            self._chunks.append((array("q"), array("q"), array("d"), array("d")))
        seqs, times, created, queued = self._chunks[-1]
        seqs.append(seq)
        times.append(event_time)
        created.append(created_at)
        queued.append(queued_at)
        self._size += 1

    def first(self) -> tuple[int, int, float, float]:
        """The oldest arrival (the caller checks that there is one)."""
        seqs, times, created, queued = self._chunks[0]
        head = self._head
        return seqs[head], times[head], created[head], queued[head]

    def popleft(self) -> tuple[int, int, float, float]:
        item = self.first()
        self._size -= 1
        self._head += 1
        if self._head == len(self._chunks[0][0]):
            self._chunks.popleft()
            self._head = 0
        return item

    def popleft_many(self, count: int) -> Iterator[tuple[int, int, float, float]]:
        """Up to `count` oldest arrivals at once, a slice of each chunk (a claim's fast path)."""
        taken: list[Iterator[tuple[int, int, float, float]]] = []
        while count > 0 and self._chunks:
            seqs, times, created, queued = self._chunks[0]
            head = self._head
            end = min(len(seqs), head + count)
            window = (seqs[head:end], times[head:end], created[head:end], queued[head:end])
            taken.append(zip(*window, strict=True))
            count -= end - head
            self._size -= end - head
            if end == len(seqs):
                self._chunks.popleft()
                self._head = 0
            else:
                self._head = end
        return itertools.chain.from_iterable(taken)


@dataclass
class _Lane:
    # Claimed, released and retried events; insertion order = queue order.
    entries: dict[int, Pending] = field(default_factory=dict)
    # Never-tried events: `arrivals` in commit (= seq) order, packed until claimed; `returned`
    # (released ones, as Pending entries) a heap of (seq, version).
    arrivals: Arrivals = field(default_factory=Arrivals)
    returned: list[tuple[int, int]] = field(default_factory=list)  # (seq, version)
    last_arrival: int = 0
    retries: list[tuple[float, int, int]] = field(default_factory=list)  # (due, seq, version)
    leased: dict[int, Pending] = field(default_factory=dict)
    earliest_lease_end: float = float("inf")


class PendingIndex:
    """Pending events per integration; not thread-safe (used from the event loop only)."""

    def __init__(self) -> None:
        self._lanes: dict[str, _Lane] = {}
        self._where: dict[int, str] = {}  # seq -> integration id, for outcomes by seq

    def _lane(self, integration_id: str) -> _Lane:
        lane = self._lanes.get(integration_id)
        if lane is None:
            lane = self._lanes[integration_id] = _Lane()
        return lane

    def add(self, pending: Pending) -> None:
        lane = self._lane(pending.integration_id)
        seq = pending.seq
        listed, leased = lane.entries.pop(seq, None), lane.leased.pop(seq, None)
        if pending.attempts == 0 and seq > lane.last_arrival and listed is leased is None:
            lane.arrivals.append(seq, pending.event_time, pending.created_at, pending.queued_at)
            lane.last_arrival = seq
            return
        lane.entries[seq] = pending
        self._where[seq] = pending.integration_id
        self._enqueue(lane, pending)

    def _enqueue(self, lane: _Lane, pending: Pending) -> None:
        pending.version += 1
        pending.lease_until = 0.0
        if pending.attempts == 0:
            heapq.heappush(lane.returned, (pending.seq, pending.version))
        else:
            heapq.heappush(lane.retries, (pending.next_attempt_at, pending.seq, pending.version))

    def claim(
        self, integration_id: str, *, limit: int, now: float, lease_seconds: float
    ) -> list[Pending]:
        """Lease up to `limit` due events: never-tried first (by seq), then due retries."""
        lane = self._lanes.get(integration_id)
        if lane is None:
            return []
        if now >= lane.earliest_lease_end:
            self._expire_leases(lane, now)
        claimed: list[Pending] = []
        arrivals, returned = lane.arrivals, lane.returned
        if not returned:  # the usual case: the oldest arrivals, in one go
            self._take_arrivals(integration_id, lane, arrivals.popleft_many(limit), claimed)
        while (arrivals or returned) and len(claimed) < limit:
            if returned and (not arrivals or returned[0][0] < arrivals.first()[0]):
                seq, version = heapq.heappop(returned)
                self._take(lane, seq, version, claimed)
            else:
                self._take_arrivals(integration_id, lane, [arrivals.popleft()], claimed)
        while lane.retries and len(claimed) < limit and lane.retries[0][0] <= now:
            _, seq, version = heapq.heappop(lane.retries)
            self._take(lane, seq, version, claimed)
        lease_until = now + lease_seconds
        for pending in claimed:
            pending.lease_until = lease_until
            lane.leased[pending.seq] = pending
        if claimed:
            lane.earliest_lease_end = min(lane.earliest_lease_end, lease_until)
        claimed.sort(key=lambda p: p.seq)
        return claimed

    def _take_arrivals(
        self,
        integration_id: str,
        lane: _Lane,
        arrivals: Iterable[tuple[int, int, float, float]],
        claimed: list[Pending],
    ) -> None:
        """Packed arrivals taken off the queue, as Pending entries from now on."""
        entries, leased, where = lane.entries, lane.leased, self._where
        for seq, event_time, created_at, queued_at in arrivals:
            if seq in entries or seq in leased:
                continue  # added again since (then as an entry): that one is the live copy
            pending = Pending(
                seq, integration_id, event_time, created_at, 0, 0.0, queued_at, 0.0, 1
            )
            entries[seq] = pending
            where[seq] = integration_id
            claimed.append(pending)

    @staticmethod
    def _take(lane: _Lane, seq: int, version: int, claimed: list[Pending]) -> None:
        pending = lane.entries.get(seq)
        if pending is not None and pending.version == version and pending.lease_until == 0.0:
            pending.version += 1
            claimed.append(pending)

    def _expire_leases(self, lane: _Lane, now: float) -> None:
        expired = [p for p in lane.leased.values() if p.lease_until <= now]
        for pending in expired:
            del lane.leased[pending.seq]
            pending.next_attempt_at = min(pending.next_attempt_at, now)
            self._enqueue(lane, pending)
        lane.earliest_lease_end = min(
            (p.lease_until for p in lane.leased.values()), default=float("inf")
        )

    def get(self, seq: int) -> Pending | None:
        lane = self._lanes.get(self._where.get(seq, ""))
        return None if lane is None else lane.entries.get(seq)

    def finish(self, seq: int) -> int:
        """Delivered or dead: the claimed event leaves the queue; returns its attempts so far."""
        lane = self._lanes.get(self._where.pop(seq, ""))
        if lane is None:
            return 0
        lane.leased.pop(seq, None)
        pending = lane.entries.pop(seq, None)
        return 0 if pending is None else pending.attempts

    def requeue(self, seq: int, *, attempts: int, due_at: float) -> None:
        """Back in the queue after a retryable failure (or a release: same attempts, due now)."""
        lane = self._lanes.get(self._where.get(seq, ""))
        pending = None if lane is None else lane.entries.get(seq)
        if lane is None or pending is None:
            return
        lane.leased.pop(seq, None)
        pending.attempts = attempts
        pending.next_attempt_at = due_at
        self._enqueue(lane, pending)

    def depth(self, integration_id: str) -> int:
        lane = self._lanes.get(integration_id)
        return 0 if lane is None else len(lane.entries) + len(lane.arrivals)

    def oldest_queued_at(self, integration_id: str) -> float | None:
        """When the longest-waiting pending event entered the queue (received or replayed)."""
        lane = self._lanes.get(integration_id)
        if lane is None:
            return None
        candidates = [lane.arrivals.first()[3]] if lane.arrivals else []
        if lane.entries:
            candidates.append(next(iter(lane.entries.values())).queued_at)
        return min(candidates, default=None)

    def next_due_at(self, integration_id: str) -> float | None:
        lane = self._lanes.get(integration_id)
        if lane is None:
            return None
        # a never-tried event is due from when it was queued; the oldest arrival goes first
        due = [lane.arrivals.first()[3]] if lane.arrivals else []
        due.extend(
            (p.next_attempt_at if p.attempts else p.queued_at) for p in lane.entries.values()
        )
        return min(due, default=None)

    def integrations(self) -> list[str]:
        return list(self._lanes)
