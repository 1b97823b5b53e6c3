"""Reading everything `pinrelay move-data` carries over from a SQLite file, read-only.

Each table is read in seq/key order and handed out in chunks, so a large file is moved
without loading it whole. The outbox comes with its state (its latest mark): only pending
and dead entries are moved, delivered ones are history.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pinrelay.errors import StoreError
from pinrelay.store.sqlite.connection import migrate

CHUNK_ROWS = 1000

# table -> the query that reads it, columns named as in the PostgreSQL schema
EXPORTS: dict[str, str] = {
    "sources": """SELECT id, name, write_key_hash, write_key_hint, default_country,
        allowed_origins, cookie_domain, consent_required, tag_dedup, created_at, updated_at
        FROM sources ORDER BY created_at, id""",
    "integrations": """SELECT id, source_id, vendor, name, enabled, ad_account_id,
        conversion_token_enc, conversion_token_hint, test_mode, consent_categories, settings,
        paused_reason, created_at, updated_at FROM integrations ORDER BY created_at, id""",
    "admin_tokens": """SELECT id, name, token_hash, token_hint, created_at, revoked_at
        FROM admin_tokens ORDER BY created_at, id""",
    "integration_pipelines": """SELECT integration_id, name, version, yaml, created_at,
        updated_at FROM integration_pipelines ORDER BY created_at, name""",
    "integration_pipeline_versions": """SELECT integration_id, name, version, yaml, created_at
        FROM integration_pipeline_versions ORDER BY integration_id, name, version""",
    "identities": """SELECT source_id, kind, subject, match_keys, click_id, click_id_at,
        updated_at FROM identities ORDER BY source_id, kind, subject""",
    "events": """SELECT seq, source_id, message_id, type, name, user_id, anonymous_id,
        received_at, body, trace FROM events
        WHERE seq IN (SELECT event_seq FROM moved_outbox) ORDER BY seq""",
    "outbox": """SELECT seq, integration_id, event_seq, event_id, event_name, event_time,
        payload, created_at, created_at AS queued_at, status, attempts, next_attempt_at,
        last_error, warning, updated_at FROM moved_outbox ORDER BY seq""",
}

_MOVED_OUTBOX = """CREATE TEMP VIEW moved_outbox AS
SELECT e.seq, e.integration_id, e.event_seq, e.event_id, e.event_name, e.event_time, e.payload,
       e.created_at, COALESCE(m.status, 'pending') AS status, COALESCE(m.attempts, 0) AS attempts,
       COALESCE(m.next_attempt_at, e.created_at) AS next_attempt_at, m.last_error, m.warning,
       COALESCE(m.at, e.created_at) AS updated_at
FROM outbox_events e
LEFT JOIN outbox_marks m ON m.id = (SELECT MAX(id) FROM outbox_marks WHERE seq = e.seq)
WHERE m.id IS NULL OR m.status IN ('pending', 'dead')"""


class SQLiteExport:
    """The tables of one SQLite file, for moving (see module docstring)."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise StoreError(f"the database {path} does not exist")
        try:
            self._conn = sqlite3.connect(path, isolation_level=None)
            migrate(self._conn)  # an older file gets the columns the export reads
            self._conn.execute(_MOVED_OUTBOX)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc

    def count(self, table: str) -> int:
        query = f"SELECT COUNT(*) FROM ({EXPORTS[table]})"  # noqa: S608  # our own queries
        return int(self._conn.execute(query).fetchone()[0])

    def chunks(self, table: str) -> Iterator[list[dict[str, Any]]]:
        cursor = self._conn.execute(EXPORTS[table])
        names = [column[0] for column in cursor.description]
        while rows := cursor.fetchmany(CHUNK_ROWS):
            yield [dict(zip(names, row, strict=True)) for row in rows]

    def close(self) -> None:
        self._conn.close()
