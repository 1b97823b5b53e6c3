"""What the store keeps of an offline import (issue 15): its file, mapping, state, figures.

The figures double as the resume state: `figures["rows_read"]` is the row a restarted import
continues after. The uploaded file itself is not in the database (it is raw PII): it lives
beside the database until the import finishes, see offline/jobs.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

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


def import_params(record: StoredImport) -> dict[str, Any]:
    """The named parameters of `upsert_import`, the same for both engines."""
    return {
        "id": record.id,
        "source_id": record.source_id,
        "file_name": record.file_name,
        "file_bytes": record.file_bytes,
        "status": record.status,
        "actor": record.actor,
        "spec": json.dumps(record.spec),
        "figures": json.dumps(record.figures),
        "bytes_read": record.bytes_read,
        "message": record.message,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
        "finished_at": record.finished_at,
    }


def import_from_row(row: Mapping[str, Any]) -> StoredImport:
    """A row of `select_import(s)` (either engine) as a record."""
    return StoredImport(
        id=row["id"],
        source_id=row["source_id"],
        file_name=row["file_name"],
        file_bytes=row["file_bytes"],
        status=cast(ImportStatus, row["status"]),
        actor=row["actor"],
        spec=json.loads(row["spec"]),
        figures=json.loads(row["figures"]),
        bytes_read=row["bytes_read"],
        message=row["message"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        finished_at=row["finished_at"],
    )
