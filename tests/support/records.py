"""The `IngestRecord` builder of the store tests: one accepted event and its outbox rows.

Store, retention, dashboard and worker tests write events straight into a store, without
the collect server; each names only what its case is about.
"""

from __future__ import annotations

import time

from pinrelay.store.records import IdentityUpdate, IngestRecord, OutboxRow

SOURCE_ID = "src_1"
INTEGRATION_ID = "int_1"


def ingest_record(
    message_id: str,
    *,
    source_id: str = SOURCE_ID,
    integration_id: str = INTEGRATION_ID,
    outbox: int = 1,
    rows: tuple[OutboxRow, ...] | None = None,
    keys: tuple[str, ...] = (),
    identities: tuple[IdentityUpdate, ...] = (),
    name: str | None = "Order Completed",
    user_id: str | None = "u1",
    body: bytes = b"{}",
    trace: bytes = b"[]",
    received_at: float | None = None,
) -> IngestRecord:
    """A track event received at `received_at` (default: now). Its outbox holds `rows`, or
    else `outbox` checkout rows for `integration_id` whose event_id is the message id."""
    now = time.time() if received_at is None else received_at
    if rows is None:
        payload = b'{"event_id":"%s"}' % message_id.encode()
        row = OutboxRow(integration_id, message_id, "checkout", int(now), payload, keys)
        rows = (row,) * outbox
    return IngestRecord(
        source_id=source_id,
        message_id=message_id,
        type="track",
        name=name,
        user_id=user_id,
        anonymous_id=None,
        received_at=now,
        body=body,
        trace=trace,
        outbox=rows,
        identities=identities,
    )
