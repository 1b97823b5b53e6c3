"""The figures of one import: what was read, queued, already there, refused and why.

Stored with the import after every chunk (they are also its resume state), shown by the CLI's
final table and the admin API. Refusals are counted by kind ("too old", "bad time",
"unmatchable", ...); the error file keeps each refused row's own detail.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

TOO_OLD = "too old"


@dataclass
class ImportFigures:
    rows_read: int = 0  # data rows consumed (also where a resumed import starts)
    events: int = 0  # orders that became messages (line items of one order are one)
    queued: int = 0  # events with at least one Pinterest event queued
    duplicate: int = 0  # events whose message id was already stored (a re-import)
    refused: Counter[str] = field(default_factory=Counter)  # kind -> rows or events
    match_keys: Counter[str] = field(default_factory=Counter)  # key -> queued events carrying it

    @property
    def too_old(self) -> int:
        return self.refused.get(TOO_OLD, 0)

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())

    def coverage(self) -> dict[str, float]:
        """Share of queued events carrying each match key (0..1), most common first."""
        if not self.queued:
            return {}
        return {key: round(n / self.queued, 4) for key, n in self.match_keys.most_common()}

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "events": self.events,
            "queued": self.queued,
            "duplicate": self.duplicate,
            "too_old": self.too_old,
            "refused": dict(self.refused.most_common()),
            "refused_total": self.refused_total,
            "match_keys": dict(self.match_keys.most_common()),
            "coverage": self.coverage(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportFigures:
        return cls(
            rows_read=int(data.get("rows_read", 0)),
            events=int(data.get("events", 0)),
            queued=int(data.get("queued", 0)),
            duplicate=int(data.get("duplicate", 0)),
            refused=Counter({str(k): int(v) for k, v in (data.get("refused") or {}).items()}),
            match_keys=Counter({str(k): int(v) for k, v in (data.get("match_keys") or {}).items()}),
        )
