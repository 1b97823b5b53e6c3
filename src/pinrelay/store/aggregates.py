"""What the dashboard and `/v1/admin/stats` count, as engine-neutral records (issue 14).

Counted by the store with one grouped query per kind (`Store.count_by_bucket`,
`Store.recovered_conversions`), so a 30-day chart reads a few hundred rows, not every event.
"""

from __future__ import annotations

from dataclasses import dataclass

RECEIVED = "received"  # the `outcome` of a count of events a source received


@dataclass(frozen=True, slots=True)
class BucketCount:
    """How many events had `outcome` in the bucket starting at `bucket` (unix seconds).

    `outcome` is `received` (per source: `integration_id` is None), a trace outcome
    (`queued`, `filtered`, ...: by the time the event was received) or a delivery outcome
    (`delivered`, `dead`: by the time it happened).
    """

    bucket: float
    source_id: str | None
    integration_id: str | None
    outcome: str
    count: int


@dataclass(frozen=True, slots=True)
class RecoveredCount:
    """Conversions delivered on `day` (UTC midnight, unix seconds) that the Pinterest Tag
    could not have sent: pinrelay.js saw its script blocked on the page."""

    day: float
    integration_id: str
    count: int
