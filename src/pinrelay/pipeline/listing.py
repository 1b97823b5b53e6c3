"""Read an integration and its stored pipelines from the database, read-only, for the CLI.

`pinrelay pipeline list` may run beside a server: the file is opened with `mode=ro` (never
created, never written) and nothing is migrated.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from pinrelay.errors import StoreError
from pinrelay.store.records import Integration, StoredPipeline
from pinrelay.store.sql import load_queries

Q = load_queries("pinrelay.store.sqlite", "queries.sql")


def default_integration() -> Integration:
    """An integration with default settings, for listing without a database."""
    return Integration(
        id="(default)", source_id="", vendor="pinterest_ads", name="(default settings)",
        enabled=True, ad_account_id="", conversion_token_enc=b"", conversion_token_hint="",
        test_mode=False, consent_categories=(), settings={}, paused_reason=None,
        created_at=0.0, updated_at=0.0,
    )  # fmt: skip


def integration_and_pipelines(
    path: Path, integration_id: str | None
) -> tuple[Integration, list[StoredPipeline]]:
    if integration_id is None:
        return default_integration(), []
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
        integration = Integration(
            **{
                **default_integration().__dict__,
                "id": row["id"],
                "name": row["name"],
                "settings": json.loads(row["settings"]),
                "updated_at": row["updated_at"],
            }
        )
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
    stored = [StoredPipeline(*tuple(r)) for r in rows]
    return integration, stored
