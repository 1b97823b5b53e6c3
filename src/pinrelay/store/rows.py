"""Rows both engines read and write the same way: integrations, attempts, match-key counts.

SQLite stores booleans as 0/1 and PostgreSQL as booleans; both take Python bools as
parameters and `bool()` reads either back, so one mapping serves both.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from pinrelay.store.records import DeliveryAttempt, IngestRecord, Integration, OutboxStatus

SECONDS_PER_HOUR = 3600
NO_ROW = 2**62  # a "before" bound meaning "from the newest" (pages of seq/id ordered reads)


def admin_token_params(
    *, token_id: str, name: str, token_hash: str, token_hint: str, now: float
) -> dict[str, Any]:
    """The parameters of `insert_admin_token` (the hash only: the token is shown once)."""
    return {
        "id": token_id,
        "name": name,
        "token_hash": token_hash,
        "token_hint": token_hint,
        "now": now,
    }


def outbox_page_params(
    integration_id: str, *, status: OutboxStatus | None, limit: int, before: int | None
) -> dict[str, Any]:
    """The parameters of `select_outbox`: one page, newest first, older than `before`."""
    return {
        "integration_id": integration_id,
        "status": status,
        "limit": limit,
        "before": before or NO_ROW,
    }


def integration_from_row(row: Any) -> Integration:
    """An integration from a row of `select_integrations` (sqlite3.Row or a dict)."""
    return Integration(
        id=row["id"],
        source_id=row["source_id"],
        vendor=row["vendor"],
        name=row["name"],
        enabled=bool(row["enabled"]),
        ad_account_id=row["ad_account_id"],
        conversion_token_enc=bytes(row["conversion_token_enc"]),
        conversion_token_hint=row["conversion_token_hint"],
        test_mode=bool(row["test_mode"]),
        consent_categories=tuple(json.loads(row["consent_categories"])),
        settings=json.loads(row["settings"]),
        paused_reason=row["paused_reason"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def integration_params(integration: Integration, now: float) -> dict[str, Any]:
    """The parameters of `insert_integration` / `update_integration`."""
    return {
        "id": integration.id,
        "source_id": integration.source_id,
        "vendor": integration.vendor,
        "name": integration.name,
        "enabled": integration.enabled,
        "ad_account_id": integration.ad_account_id,
        "conversion_token_enc": integration.conversion_token_enc,
        "conversion_token_hint": integration.conversion_token_hint,
        "test_mode": integration.test_mode,
        "consent_categories": json.dumps(list(integration.consent_categories)),
        "settings": json.dumps(integration.settings),
        "paused_reason": integration.paused_reason,
        "created_at": integration.created_at,
        "now": now,
    }


def attempt_params(attempt: DeliveryAttempt) -> dict[str, Any]:
    """The parameters of `insert_attempt`."""
    return {
        "integration_id": attempt.integration_id,
        "started_at": attempt.started_at,
        "duration_ms": attempt.duration_ms,
        "batch_size": attempt.batch_size,
        "http_status": attempt.http_status,
        "outcome": attempt.outcome,
        "message": attempt.message,
        "test": attempt.test,
    }


def match_key_counts(records: Sequence[IngestRecord]) -> Counter[tuple[str, int, str]]:
    """(integration, hour, key) -> events the new records' outbox rows carry; `_events`
    counts the events themselves."""
    counts: Counter[tuple[str, int, str]] = Counter()
    for record in records:
        hour = int(record.received_at // SECONDS_PER_HOUR)
        for row in record.outbox:
            counts[(row.integration_id, hour, "_events")] += 1
            for key in row.match_keys:
                counts[(row.integration_id, hour, key)] += 1
    return counts
