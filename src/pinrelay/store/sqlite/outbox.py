"""The outbox on SQLite: immutable payload rows, append-only marks (migration 0002).

Helpers of SQLiteStore that turn outcomes into marks, claimed leases into events with their
payloads, and delivered entries into reclaimed ranges. Nothing here updates a payload row.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from pinrelay.store.records import ClaimedEvent, DeadEntry, DeadFilter, EventOutcome
from pinrelay.store.sqlite.pending import Pending, PendingIndex

DENSE_RANGE_FACTOR = 2  # read a batch by one range scan when its seqs fill half the range


def pending_from_row(row: sqlite3.Row) -> Pending:
    return Pending(
        row["seq"],
        row["integration_id"],
        row["event_time"],
        row["created_at"],
        attempts=row["attempts"],
        next_attempt_at=row["next_at"],
        queued_at=row["queued_at"],
    )


def read_payloads(
    conn: sqlite3.Connection, queries: Mapping[str, str], integration_id: str, leased: list[Pending]
) -> list[tuple[Any, ...]]:
    """The payload rows of a claimed batch (sorted by seq): a range scan if dense."""
    first, last = leased[0].seq, leased[-1].seq
    if last - first + 1 <= DENSE_RANGE_FACTOR * len(leased):
        query = queries["select_payload_range"]
        params: dict[str, Any] = {"first": first, "last": last, "integration_id": integration_id}
    else:
        query = queries["select_payload_list"]
        params = {"seqs": json.dumps([p.seq for p in leased])}
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: this is the hot path
    return cursor.execute(query, params).fetchall()


def claimed_events(
    leased: Sequence[Pending], rows: Sequence[tuple[Any, ...]]
) -> list[ClaimedEvent]:
    by_seq = {row[0]: row for row in rows}  # (seq, event_id, event_name, payload)
    claimed = []
    for pending in leased:
        row = by_seq.get(pending.seq)
        if row is None:  # reclaimed under us: cannot happen for a pending entry
            continue
        claimed.append(
            ClaimedEvent(
                pending.seq,
                row[1],
                row[2],
                pending.event_time,
                row[3],
                pending.attempts,
                pending.created_at,
            )
        )
    return claimed


Mark = tuple[int, str, int, float, str | None, str | None, float]  # insert_mark_row's order


def apply_outcomes(index: PendingIndex, outcomes: Sequence[EventOutcome], now: float) -> list[Mark]:
    """Update the in-memory queues; return the marks to append (one narrow row each).

    The hot path of delivery (one call per batch of up to 1000): positional rows, one lookup.
    """
    marks: list[Mark] = []
    append = marks.append
    for outcome in outcomes:
        seq = outcome.seq
        status = outcome.status
        if status == "delivered" or status == "dead":
            attempts = index.finish(seq)
            if outcome.attempted:
                attempts += 1
            if status == "delivered":
                append((seq, status, attempts, now, None, outcome.message, now))
            else:
                append((seq, status, attempts, now, outcome.message, None, now))
            continue
        pending = index.get(seq)
        attempts = pending.attempts if pending is not None else 0
        if status == "retry":
            attempts += 1 if outcome.attempted else 0
            due = outcome.next_attempt_at
        else:  # release: back in the queue untouched, e.g. when its lane was paused
            due = now
        index.requeue(seq, attempts=attempts, due_at=due)
        append((seq, "pending", attempts, due, outcome.message, None, now))
    return marks


def replay_mark(entry: DeadEntry, now: float) -> Mark:
    """A replayed event starts over: pending, no attempts, due now, same event_id."""
    return (entry.seq, "pending", 0, now, None, None, now)


def dead_params(selection: DeadFilter, *, limit: int, before: int) -> dict[str, Any]:
    return {
        "integration_id": selection.integration_id,
        "since": selection.since,
        "until": selection.until,
        "seqs": None if selection.seqs is None else json.dumps(list(selection.seqs)),
        "before": before,
        "limit": limit,
    }


def seq_ranges(seqs: Sequence[int], *, max_span: int = 5000) -> list[tuple[int, int, list[int]]]:
    """Group sorted seqs into (first, last, members) ranges of bounded span."""
    ranges: list[tuple[int, int, list[int]]] = []
    for seq in seqs:
        if ranges and seq - ranges[-1][0] < max_span:
            first, _, members = ranges[-1]
            members.append(seq)
            ranges[-1] = (first, seq, members)
        else:
            ranges.append((seq, seq, [seq]))
    return ranges


def reclaimable(
    conn: sqlite3.Connection, queries: Mapping[str, str], before: float, limit: int
) -> list[int]:
    """Seqs of delivered entries last marked before `before` (read side: delivered is final)."""
    rows = conn.execute(queries["select_reclaimable"], {"before_time": before, "limit": limit})
    return [row[0] for row in rows]


def delete_reclaimed(
    conn: sqlite3.Connection, queries: Mapping[str, str], seqs: Sequence[int]
) -> int:
    """Delete payloads and marks of `seqs`, range by range (the primary key order)."""
    for first, last, members in seq_ranges(sorted(seqs)):
        params = {"first": first, "last": last, "seqs": json.dumps(members)}
        conn.execute(queries["delete_events_range"], params)
        conn.execute(queries["delete_marks_range"], params)
    return len(seqs)
