"""What ingests write, in few statements: multi-row inserts per group commit, not per row.

The events, outbox rows and identity updates of all the requests that wait for one group
commit each go in one multi-row statement (in chunks that stay under SQLite's limit of bound
variables), so the writer thread's Python and SQLite's statement set-up are paid per group,
not per event nor per request (issue 12: per-row inserts were ~40 µs of the writer's CPU per
event; merging single-event requests took the writer from ~130 to ~70 µs per event under
wrk, benchmarks/ingest.py). The statements are the named queries of queries.sql with one
`VALUES (...)` group, repeated here for the number of rows.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import msgspec

from pinrelay.store.records import DeliveryAttempt, IngestRecord
from pinrelay.store.rows import attempt_params
from pinrelay.store.sql import load_queries
from pinrelay.store.sqlite import outbox
from pinrelay.store.sqlite.identity import write_match_key_counts
from pinrelay.store.sqlite.pending import Pending

Q = load_queries("pinrelay.store.sqlite", "queries.sql")

MAX_VARIABLES = 32_766  # SQLite's default SQLITE_MAX_VARIABLE_NUMBER since 3.32
_encode = msgspec.json.Encoder().encode


@functools.lru_cache(maxsize=256)
def repeated(name: str, rows: int) -> str:
    """Query `name` with its one `VALUES (...)` group repeated for `rows` rows."""
    sql = Q[name]
    start = sql.index("VALUES (") + len("VALUES ")
    end = sql.index(")", start) + 1
    group = sql[start:end]
    return sql[:start] + ", ".join([group] * rows) + sql[end:]


def _chunks(rows: Sequence[tuple[Any, ...]], width: int) -> Iterator[Sequence[tuple[Any, ...]]]:
    """`rows` in chunks of a power of two (the largest that fits, then smaller): a few
    statement sizes in all, so the connection's cache of prepared statements keeps them.
    Every row count its own statement made the cache prepare one per group commit, and
    hold up to 128 statements of hundreds of rows (~38 MB measured)."""
    largest = 1 << (max(1, MAX_VARIABLES // width).bit_length() - 1)
    start = 0
    while start < len(rows):
        size = largest
        while size > len(rows) - start:
            size >>= 1
        yield rows[start : start + size]
        start += size


def _insert(conn: sqlite3.Connection, name: str, rows: Sequence[tuple[Any, ...]]) -> list[Any]:
    """Insert `rows` with query `name` (multi-row); the rows its RETURNING clause gave."""
    returned: list[Any] = []
    if not rows:
        return returned
    width = len(rows[0])
    for chunk in _chunks(rows, width):
        flat = [value for row in chunk for value in row]
        returned += conn.execute(repeated(name, len(chunk)), flat).fetchall()
    return returned


def write_requests(
    conn: sqlite3.Connection, requests: Sequence[Sequence[IngestRecord]]
) -> list[tuple[list[bool], list[Pending]]]:
    """Write the records of one or more requests (the group commit merges the ingests that
    wait together: `GroupCommitWriter.run_merged`) in one set of multi-row statements. Per
    request: (new, or an SDK retry, per record) and its queued rows."""
    records = [record for request in requests for record in request]
    inserted = _insert(
        conn,
        "insert_events",
        [
            (
                r.source_id,
                r.message_id,
                r.type,
                r.name,
                r.user_id,
                r.anonymous_id,
                r.received_at,
                r.body,
                r.trace,
            )
            for r in records
        ],
    )
    # RETURNING's order is unspecified: match by (source, message id). A message id twice in
    # the statement is new once (the first, in request order), a retry after that, as with
    # one insert per row.
    seq_of: dict[tuple[str, str], int] = {(row[1], row[2]): row[0] for row in inserted}
    outcomes: list[tuple[list[bool], list[Pending]]] = []
    request_of: dict[int, int] = {}  # event seq -> index of its request
    outbox_rows: list[tuple[Any, ...]] = []
    identity_rows: list[tuple[Any, ...]] = []
    new_records: list[IngestRecord] = []
    for index, request in enumerate(requests):
        stored: list[bool] = []
        outcomes.append((stored, []))
        for record in request:
            event_seq = seq_of.pop((record.source_id, record.message_id), None)
            if event_seq is None:
                stored.append(False)
                continue
            stored.append(True)
            request_of[event_seq] = index
            new_records.append(record)
            received_at = record.received_at
            for row in record.outbox:
                outbox_rows.append(
                    (
                        row.integration_id,
                        event_seq,
                        row.event_id,
                        row.event_name,
                        row.event_time,
                        row.payload,
                        received_at,
                    )
                )
            for update in record.identities:
                has_click = update.click_id is not None
                identity_rows.append(
                    (
                        record.source_id,
                        update.kind,
                        update.subject,
                        _encode(update.match_keys).decode(),
                        received_at,
                        update.click_id,
                        update.click_id_at if has_click else 0.0,
                    )
                )
    for seq, integration_id, event_time, created_at, event_seq in _insert(
        conn, "insert_outbox_rows", outbox_rows
    ):
        outcomes[request_of[event_seq]][1].append(
            Pending(seq, integration_id, event_time, created_at, queued_at=created_at)
        )
    for _, queued in outcomes:
        queued.sort(key=lambda p: p.seq)  # the queues take arrivals in commit (= seq) order
    _insert(conn, "upsert_identities", identity_rows)
    write_match_key_counts(conn, new_records)
    return outcomes


def write_outcomes(
    conn: sqlite3.Connection,
    marks: Sequence[outbox.Mark],
    attempt: DeliveryAttempt | None,
) -> None:
    conn.executemany(Q["insert_mark_row"], marks)
    if attempt is not None:
        conn.execute(Q["insert_attempt"], attempt_params(attempt))
