"""Reading an integration and its stored pipelines from a SQLite file, read-only.

`pinrelay pipeline list` may run beside a server: the file is opened with `mode=ro` (never
created, never written) and nothing is migrated.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from pinrelay.errors import StoreError
from pinrelay.store.records import StoredPipeline
from pinrelay.store.sql import load_queries

Q = load_queries("pinrelay.store.sqlite", "queries.sql")


def read_integration(
    path: Path, integration_id: str
) -> tuple[dict[str, Any], list[StoredPipeline]]:
    """({id, name, settings, updated_at} of the integration, its current pipelines)."""
    if not path.exists():
        raise StoreError(f"the database {path} does not exist (set --db)")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise StoreError(f"cannot open {path} read-only: {error}") from error
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute(Q["select_integration_for_listing"], {"id": integration_id}).fetchone()
        if row is None:
            raise StoreError(f"integration {integration_id!r} does not exist in {path}")
        fields = {
            "id": row["id"],
            "name": row["name"],
            "settings": json.loads(row["settings"]),
            "updated_at": row["updated_at"],
        }
        try:
            rows = conn.execute(
                Q["select_pipelines_of_integration"], {"id": integration_id}
            ).fetchall()
        except sqlite3.OperationalError:  # a database from before migration 0005
            rows = []
    except sqlite3.Error as error:
        raise StoreError(f"cannot read {path}: {error}") from error
    finally:
        conn.close()
    return fields, [StoredPipeline(*tuple(r)) for r in rows]
