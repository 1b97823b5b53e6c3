"""What the store keeps of an offline import (issue 15): its file, mapping, state, figures.

The figures double as the resume state: `figures["rows_read"]` is the row a restarted import
continues after. The uploaded file itself is not in the database (it is raw PII): it lives
beside the database until the import finishes, see offline/jobs.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ImportStatus = Literal["uploaded", "running", "done", "failed", "interrupted"]
IMPORT_STATUSES: tuple[ImportStatus, ...] = ("uploaded", "running", "done", "failed", "interrupted")


@dataclass(frozen=True)
class StoredImport:
    id: str
    file_name: str
    file_bytes: int
    status: ImportStatus
    actor: str
    created_at: float
    updated_at: float
    source_id: str | None = None
    spec: dict[str, Any] = field(default_factory=dict)  # mapping and options, as started
    figures: dict[str, Any] = field(default_factory=dict)  # ImportFigures.as_dict()
    bytes_read: int = 0
    message: str | None = None  # why it failed, or what it did
    finished_at: float | None = None
