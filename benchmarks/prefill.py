"""A SQLite database as months of traffic leave it, for the benchmarks' big-store runs.

An empty store hides what grows: the events table's `UNIQUE (source_id, message_id)` (SDKs
send random UUIDs) and the identities' key (user and device ids) take every insert at a
random leaf, which costs more the bigger they are (docs/performance.md, session 10). The
rows are written straight with SQL, fast and not measured, into a database pinrelay has
migrated, for the source the measured traffic is sent to (so its inserts share the index).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import time
import uuid
from pathlib import Path

CHUNK_ROWS = 50_000


def add_prefill_arguments(parser: argparse.ArgumentParser) -> None:
    """`--prefill-events` and `--prefill-identities`, the same in every benchmark."""
    parser.add_argument(
        "--prefill-events",
        type=int,
        default=0,
        help="events already stored before the runs (random message ids), e.g. 5000000",
    )
    parser.add_argument(
        "--prefill-identities", type=int, default=0, help="remembered users already stored"
    )


def prefill(path: Path, *, events: int, identities: int, source_id: str, body: str) -> None:
    """Add `events` stored events (each with `body`, a new UUID message id) and
    `identities` remembered users (an email and a phone hash each) to `path`."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA cache_size = -1000000")  # 1 GB: the prefill is not measured
        conn.execute("PRAGMA synchronous = OFF")
        now = time.time()  # inside any retention window, so nothing is pruned meanwhile
        trace = json.dumps([{"integration": "prefill", "pipeline": "prefill", "outcome": "ok"}])
        keys = json.dumps({"em": [os.urandom(32).hex()], "ph": [os.urandom(32).hex()]})
        with conn:
            for start in range(0, events, CHUNK_ROWS):
                conn.executemany(
                    "INSERT INTO events (source_id, message_id, type, name, user_id,"
                    " anonymous_id, received_at, body, trace)"
                    " VALUES (?, ?, 'track', 'Order Completed', ?, NULL, ?, ?, ?)",
                    (
                        (source_id, str(uuid.uuid4()), f"user-{n}", now, body, trace)
                        for n in range(start, min(events, start + CHUNK_ROWS))
                    ),
                )
            for start in range(0, identities, CHUNK_ROWS):
                conn.executemany(
                    "INSERT INTO identities (source_id, kind, subject, match_keys, updated_at)"
                    " VALUES (?, 'user', ?, ?, ?)",
                    (
                        (source_id, str(uuid.uuid4()), keys, now)
                        for _ in range(start, min(identities, start + CHUNK_ROWS))
                    ),
                )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
