"""Read an integration and its stored pipelines from the database, read-only, for the CLI.

`pinrelay pipeline list` may run beside a server: the store reads without migrating or
writing anything (store/engines.py `read_integration`), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio

from pinrelay.store.engines import read_integration
from pinrelay.store.records import Integration, StoredPipeline


def default_integration() -> Integration:
    """An integration with default settings, for listing without a database."""
    return Integration(
        id="(default)", source_id="", vendor="pinterest_ads", name="(default settings)",
        enabled=True, ad_account_id="", conversion_token_enc=b"", conversion_token_hint="",
        test_mode=False, consent_categories=(), settings={}, paused_reason=None,
        created_at=0.0, updated_at=0.0,
    )  # fmt: skip


def integration_and_pipelines(
    database_url: str, integration_id: str | None
) -> tuple[Integration, list[StoredPipeline]]:
    if integration_id is None:
        return default_integration(), []
    fields, stored = asyncio.run(read_integration(database_url, integration_id))
    integration = Integration(**{**default_integration().__dict__, **fields})
    return integration, stored
