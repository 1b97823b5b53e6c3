"""Offline imports: upload an export, preview it (a dry run), start it, watch it.

The admin API and the UI act through the same ImportJobs and audit the same actions. Imports
run in the process that serves the admin port (`pinrelay serve`); elsewhere there are none.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from pydantic import BaseModel, Field

from pinrelay.errors import BadRequest, ResourceNotFound
from pinrelay.offline.jobs import ImportJobs
from pinrelay.offline.runner import ImportRun
from pinrelay.offline.spec import ImportSpec
from pinrelay.services.context import ServiceContext
from pinrelay.store.base import Store
from pinrelay.store.importrecords import StoredImport
from pinrelay.store.records import Source

MAX_MAPPING_CHARS = 64 * 1024


class ImportSpecIn(BaseModel):
    source_id: str = Field(max_length=100)
    mapping: str = Field(
        "generic",
        max_length=MAX_MAPPING_CHARS,
        description="A built-in mapping (shopify, woocommerce, generic) or a mapping's YAML.",
    )
    event: str | None = Field(None, max_length=200, description='e.g. "Lead Generated"')
    event_id_column: str | None = Field(None, max_length=200)
    time_column: str | None = Field(None, max_length=200)
    time_format: str | None = Field(None, max_length=100, description='e.g. "%d/%m/%Y %H:%M"')
    timezone: str | None = Field(None, max_length=100, description="e.g. America/New_York")
    columns: dict[str, str] = Field(
        default_factory=dict, description="Segment field -> column, e.g. context.traits.email"
    )

    def spec(self) -> ImportSpec:
        return ImportSpec(
            mapping_text=self.mapping,
            event=self.event,
            event_id_column=self.event_id_column,
            time_column=self.time_column,
            time_format=self.time_format,
            timezone=self.timezone,
            columns=dict(self.columns),
        )


def import_jobs(context: ServiceContext) -> ImportJobs:
    if context.imports is None:
        raise BadRequest("imports are not available in this process (start `pinrelay serve`)")
    return context.imports


async def existing_import(store: Store, import_id: str) -> StoredImport:
    record = await store.get_import(import_id[:100])
    if record is None:
        raise ResourceNotFound(f"import {import_id!r} does not exist")
    return record


def importable_source(store: Store, source_id: str) -> Source:
    """The source rows are imported for: it exists and delivers somewhere (else 400)."""
    source = store.get_source(source_id)
    if source is None:
        raise BadRequest(f"source_id: source {source_id!r} does not exist")
    if not any(i.enabled for i in store.list_integrations(source.id)):
        raise BadRequest(
            f"source {source_id!r} has no enabled integration: add one before importing"
        )
    return source


async def upload(
    context: ServiceContext, chunks: AsyncIterator[bytes], *, file_name: str, actor: str
) -> StoredImport:
    """Stream an export to the import directory (its own size limit) and audit it."""
    record = await import_jobs(context).receive(chunks, file_name=file_name, actor=actor)
    await context.store.audit(
        actor=actor,
        action="import.upload",
        target=record.id,
        details={"file_name": record.file_name, "bytes": record.file_bytes},
    )
    return record


async def preview(
    context: ServiceContext, import_id: str, body: ImportSpecIn, *, events: int
) -> ImportRun:
    """Dry run: map and validate every row, send and write nothing."""
    jobs = import_jobs(context)
    record = await existing_import(context.store, import_id)
    source = importable_source(context.store, body.source_id)
    return await jobs.preview(record, source, body.spec(), events=events)


async def start(
    context: ServiceContext, import_id: str, body: ImportSpecIn, *, actor: str
) -> StoredImport:
    """Start (or resume) the import, and audit it."""
    jobs = import_jobs(context)
    record = await existing_import(context.store, import_id)
    source = importable_source(context.store, body.source_id)
    started = await jobs.start(record, source, body.spec())
    details = {"source_id": source.id, "mapping": body.mapping[:40], "file_name": record.file_name}
    await context.store.audit(actor=actor, action="import.start", target=record.id, details=details)
    return started


async def errors_file(context: ServiceContext, import_id: str) -> tuple[StoredImport, Path]:
    """The refused rows' CSV of an import that was started."""
    jobs = import_jobs(context)
    record = await existing_import(context.store, import_id)
    path = jobs.errors_path(record.id)
    if not path.exists():
        raise ResourceNotFound(f"import {record.id} has no error file (it was not started)")
    return record, path
