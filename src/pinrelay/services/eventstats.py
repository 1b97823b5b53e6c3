"""Dashboard series: per integration, what happened to its traffic per time bucket.

Every stored event carries its trace (one step per integration: queued, filtered,
unmatchable, invalid, no_pipeline), so counting traces per bucket gives what happened to the
traffic of each integration; delivery outcomes (delivered, dead) count by the time they
happened. The store counts them with grouped queries (`services.rangestats`); this module
holds the shape of the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pinrelay.mapping.trace import Outcome

OUTCOMES = tuple(outcome.value for outcome in Outcome)  # the trace's, in its order
DELIVERY = ("delivered", "dead")
SERIES = ("received", *OUTCOMES, *DELIVERY)


@dataclass
class IntegrationSeries:
    integration_id: str
    source_id: str
    series: dict[str, list[int]]
    totals: dict[str, int] = field(default_factory=dict)


@dataclass
class EventStats:
    since: float
    bucket_seconds: int
    buckets: list[float]  # start of each bucket, unix seconds
    integrations: list[IntegrationSeries]
    truncated: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "bucket_seconds": self.bucket_seconds,
            "buckets": self.buckets,
            "truncated": self.truncated,
            "integrations": [
                {
                    "integration_id": s.integration_id,
                    "source_id": s.source_id,
                    "series": s.series,
                    "totals": s.totals,
                }
                for s in self.integrations
            ],
        }
