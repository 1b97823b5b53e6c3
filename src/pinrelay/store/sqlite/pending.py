"""The in-memory index of pending outbox events, per integration (the lanes' queues).

One process owns a SQLite file (store/sqlite/store.py), so what is pending, leased or due is
known here exactly, and a claim costs no database write at all: the database keeps only the
immutable payloads and the append-only marks. Leases live here too, so a restart releases
every lease at once (issue 4, crash safety), and a lease that outlives its worker in this
process comes back when it expires.

First attempts run ahead of retries: a claim takes never-tried events (oldest first) before
due retries, so a backlog of failing events never delays fresh ones.
"""

from __future__ import annotations

import heapq
from collections import deque
from dataclasses import dataclass, field


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


@dataclass
class _Lane:
    entries: dict[int, Pending] = field(default_factory=dict)  # insertion order = queue order
    # Never-tried events: `arrivals` in commit (= seq) order, `returned` (released ones) a heap.
    arrivals: deque[tuple[int, int]] = field(default_factory=deque)  # (seq, version)
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
        lane.entries.pop(pending.seq, None)
        lane.leased.pop(pending.seq, None)
        lane.entries[pending.seq] = pending
        self._where[pending.seq] = pending.integration_id
        self._enqueue(lane, pending)

    def _enqueue(self, lane: _Lane, pending: Pending) -> None:
        pending.version += 1
        pending.lease_until = 0.0
        if pending.attempts == 0:
            if pending.seq > lane.last_arrival:
                lane.arrivals.append((pending.seq, pending.version))
                lane.last_arrival = pending.seq
            else:
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
        while (arrivals or returned) and len(claimed) < limit:
            if returned and (not arrivals or returned[0][0] < arrivals[0][0]):
                seq, version = heapq.heappop(returned)
            else:
                seq, version = arrivals.popleft()
            self._take(lane, seq, version, claimed)
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
        """Delivered or dead: the event leaves the queue; returns its attempts so far."""
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
        return 0 if lane is None else len(lane.entries)

    def oldest_queued_at(self, integration_id: str) -> float | None:
        """When the longest-waiting pending event entered the queue (received or replayed)."""
        lane = self._lanes.get(integration_id)
        if lane is None or not lane.entries:
            return None
        return next(iter(lane.entries.values())).queued_at

    def next_due_at(self, integration_id: str) -> float | None:
        lane = self._lanes.get(integration_id)
        if lane is None or not lane.entries:
            return None
        return min(
            (p.next_attempt_at if p.attempts else p.queued_at) for p in lane.entries.values()
        )

    def integrations(self) -> list[str]:
        return list(self._lanes)
