"""Admin routes for offline imports: upload a file, preview it, start it, watch it.

The upload is the request body itself (any content type), streamed to disk chunk by chunk
with its own size limit (the admin body limit does not apply to this one path). Upload and
start are audited; the preview is a dry run that writes nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from pinrelay.admin.auth import ActorDep
from pinrelay.admin.deps import MAX_PAGE, StoreDep
from pinrelay.errors import BadRequest, ImportFileError, ResourceNotFound
from pinrelay.offline.jobs import ImportJobs
from pinrelay.offline.mapping import BUILT_IN, built_in_text
from pinrelay.offline.spec import ImportSpec
from pinrelay.store.base import Store
from pinrelay.store.importrecords import ImportStatus, StoredImport
from pinrelay.store.records import Source

UPLOAD_PATH = "/v1/admin/imports/files"  # exempt from the admin body limit (admin/limits.py)
MAX_MAPPING_CHARS = 64 * 1024

router = APIRouter(prefix="/v1/admin/imports", tags=["imports"])


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


class ImportOut(BaseModel):
    id: str
    file_name: str
    file_bytes: int
    status: ImportStatus
    source_id: str | None
    spec: dict[str, Any]
    figures: dict[str, Any]
    bytes_read: int
    message: str | None
    actor: str
    created_at: float
    updated_at: float
    finished_at: float | None
    has_errors_file: bool = False


class RefusedRowOut(BaseModel):
    row: int
    kind: str
    reason: str


class PreviewOut(BaseModel):
    figures: dict[str, Any]
    events: list[dict[str, Any]] = Field(description="The first events as Pinterest gets them.")
    refused_rows: list[RefusedRowOut] = Field(description="The first refused rows and why.")


def get_jobs(request: Request) -> ImportJobs:
    jobs: ImportJobs | None = getattr(request.app.state, "imports", None)
    if jobs is None:
        raise BadRequest("imports are not available in this process (start `pinrelay serve`)")
    return jobs


def import_out(jobs: ImportJobs, record: StoredImport) -> ImportOut:
    fields = {
        name: getattr(record, name) for name in ImportOut.model_fields if name != "has_errors_file"
    }
    return ImportOut(**fields, has_errors_file=jobs.errors_path(record.id).exists())


async def existing_import(store: Store, import_id: str) -> StoredImport:
    record = await store.get_import(import_id[:100])
    if record is None:
        raise ResourceNotFound(f"import {import_id!r} does not exist")
    return record


def existing_source(store: Store, source_id: str) -> Source:
    source = store.get_source(source_id)
    if source is None:
        raise BadRequest(f"source_id: source {source_id!r} does not exist")
    if not any(i.enabled for i in store.list_integrations(source.id)):
        raise BadRequest(
            f"source {source_id!r} has no enabled integration: add one before importing"
        )
    return source


# The body is read raw (streamed to disk), so FastAPI cannot describe it: say what it is.
_FILE_BODY = {"type": "string", "minLength": 1, "description": "The export's bytes (gzip too)."}
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": _FILE_BODY},
            "application/x-ndjson": {"schema": _FILE_BODY},
        },
    }
}


@router.post("/files", status_code=201, openapi_extra=UPLOAD_BODY)
async def upload_import_file(
    request: Request,
    store: StoreDep,
    actor: ActorDep,
    name: Annotated[str, Query(max_length=200, description="The file's name, for the list.")] = (
        "upload"
    ),
) -> ImportOut:
    """Upload an export (CSV, JSONL, optionally gzipped) as the raw request body."""
    jobs = get_jobs(request)
    record = await jobs.receive(request.stream(), file_name=name, actor=actor)
    await store.audit(
        actor=actor,
        action="import.upload",
        target=record.id,
        details={"file_name": record.file_name, "bytes": record.file_bytes},
    )
    return import_out(jobs, record)


@router.post("/{import_id}/preview")
async def preview_import(
    import_id: str,
    body: ImportSpecIn,
    request: Request,
    store: StoreDep,
    events: Annotated[int, Query(ge=0, le=50)] = 5,
) -> PreviewOut:
    """Dry run: map and validate every row, send and write nothing."""
    jobs = get_jobs(request)
    record = await existing_import(store, import_id)
    source = existing_source(store, body.source_id)
    try:
        run = await jobs.preview(record, source, body.spec(), events=events)
    except ImportFileError as exc:
        raise BadRequest(str(exc)) from None
    return PreviewOut(
        figures=run.figures.as_dict(),
        events=run.preview,
        refused_rows=[RefusedRowOut(row=r, kind=k, reason=m) for r, k, m in run.refused_sample],
    )


@router.post("/{import_id}/start", status_code=202)
async def start_import(
    import_id: str, body: ImportSpecIn, request: Request, store: StoreDep, actor: ActorDep
) -> ImportOut:
    """Start (or resume) the import; watch it with GET /v1/admin/imports/{id}."""
    jobs = get_jobs(request)
    record = await existing_import(store, import_id)
    source = existing_source(store, body.source_id)
    try:
        started = await jobs.start(record, source, body.spec())
    except ImportFileError as exc:
        raise BadRequest(str(exc)) from None
    details = {"source_id": source.id, "mapping": body.mapping[:40], "file_name": record.file_name}
    await store.audit(actor=actor, action="import.start", target=record.id, details=details)
    return import_out(jobs, started)


@router.get("")
async def list_imports(
    request: Request, store: StoreDep, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50
) -> list[ImportOut]:
    """Past and running imports, newest first, with their figures."""
    jobs = get_jobs(request)
    return [import_out(jobs, r) for r in await store.list_imports(limit=limit)]


@router.get("/mappings/{name}")
async def built_in_mapping(name: str) -> dict[str, str]:
    """A built-in mapping's YAML, to start a mapping of your own from."""
    if name not in BUILT_IN:
        raise ResourceNotFound(f"no built-in mapping {name!r}: one of {', '.join(BUILT_IN)}")
    return {"name": name, "yaml": built_in_text(name)}


@router.get("/{import_id}")
async def get_import(import_id: str, request: Request, store: StoreDep) -> ImportOut:
    """One import: its state, progress (bytes_read of file_bytes) and figures."""
    return import_out(get_jobs(request), await existing_import(store, import_id))


@router.get("/{import_id}/errors", response_class=FileResponse)
async def import_errors(import_id: str, request: Request, store: StoreDep) -> FileResponse:
    """The refused rows as CSV: row number, kind and reason."""
    jobs = get_jobs(request)
    record = await existing_import(store, import_id)
    path = jobs.errors_path(record.id)
    if not path.exists():
        raise ResourceNotFound(f"import {record.id} has no error file (it was not started)")
    return FileResponse(path, media_type="text/csv", filename=f"{record.id}-errors.csv")
