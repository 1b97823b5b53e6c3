"""How to import a file: the mapping (a built-in name or YAML text) and the overrides given
by CLI flags or the admin API. Stored with the import, so a resumed import maps the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from pinrelay.offline.dates import time_zone
from pinrelay.offline.mapping import ImportMapping, load_mapping


@dataclass(frozen=True)
class ImportSpec:
    mapping_text: str = "generic"  # "shopify", "woocommerce", "generic" or a mapping's YAML
    event: str | None = None  # e.g. "Lead Generated" for a sheet of leads
    event_id_column: str | None = None
    time_column: str | None = None
    time_format: str | None = None
    timezone: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # Segment field -> column

    def mapping(self) -> ImportMapping:
        """The mapping with the overrides applied; ImportFileError if it is unusable."""
        mapped = load_mapping(self.mapping_text).with_overrides(
            event=self.event,
            event_id=self.event_id_column,
            time_column=self.time_column,
            time_format=self.time_format,
            timezone=self.timezone,
            columns=self.columns,
        )
        time_zone(mapped.timezone)  # an unknown zone is refused before any row is read
        return mapped

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportSpec:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)
