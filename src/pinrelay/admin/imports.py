"""Admin routes for offline imports: upload a file, preview it, start it, watch it.

The upload is the request body itself (any content type), streamed to disk chunk by chunk
with its own size limit (the admin body limit does not apply to this one path). Upload and
start are audited; the preview is a dry run that writes nothing (services.imports).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from pinrelay.admin.auth import ActorDep
from pinrelay.admin.deps import MAX_PAGE, ContextDep
from pinrelay.errors import ResourceNotFound
from pinrelay.offline.jobs import ImportJobs
from pinrelay.offline.mapping import BUILT_IN, built_in_text
from pinrelay.services import imports
from pinrelay.services.imports import ImportSpecIn
from pinrelay.store.importrecords import ImportStatus, StoredImport

UPLOAD_PATH = "/v1/admin/imports/files"  # exempt from the admin body limit (admin/limits.py)

router = APIRouter(prefix="/v1/admin/imports", tags=["imports"])


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


def import_out(jobs: ImportJobs, record: StoredImport) -> ImportOut:
    fields = {
        name: getattr(record, name) for name in ImportOut.model_fields if name != "has_errors_file"
    }
    return ImportOut(**fields, has_errors_file=jobs.errors_path(record.id).exists())


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
    context: ContextDep,
    actor: ActorDep,
    name: Annotated[str, Query(max_length=200, description="The file's name, for the list.")] = (
        "upload"
    ),
) -> ImportOut:
    """Upload an export (CSV, JSONL, optionally gzipped) as the raw request body."""
    jobs = imports.import_jobs(context)
    record = await imports.upload(context, request.stream(), file_name=name, actor=actor)
    return import_out(jobs, record)


@router.post("/{import_id}/preview")
async def preview_import(
    import_id: str,
    body: ImportSpecIn,
    context: ContextDep,
    events: Annotated[int, Query(ge=0, le=50)] = 5,
) -> PreviewOut:
    """Dry run: map and validate every row, send and write nothing."""
    run = await imports.preview(context, import_id, body, events=events)
    return PreviewOut(
        figures=run.figures.as_dict(),
        events=run.preview,
        refused_rows=[RefusedRowOut(row=r, kind=k, reason=m) for r, k, m in run.refused_sample],
    )


@router.post("/{import_id}/start", status_code=202)
async def start_import(
    import_id: str, body: ImportSpecIn, context: ContextDep, actor: ActorDep
) -> ImportOut:
    """Start (or resume) the import; watch it with GET /v1/admin/imports/{id}."""
    started = await imports.start(context, import_id, body, actor=actor)
    return import_out(imports.import_jobs(context), started)


@router.get("")
async def list_imports(
    context: ContextDep, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50
) -> list[ImportOut]:
    """Past and running imports, newest first, with their figures."""
    jobs = imports.import_jobs(context)
    return [import_out(jobs, r) for r in await context.store.list_imports(limit=limit)]


@router.get("/mappings/{name}")
async def built_in_mapping(name: str) -> dict[str, str]:
    """A built-in mapping's YAML, to start a mapping of your own from."""
    if name not in BUILT_IN:
        raise ResourceNotFound(f"no built-in mapping {name!r}: one of {', '.join(BUILT_IN)}")
    return {"name": name, "yaml": built_in_text(name)}


@router.get("/{import_id}")
async def get_import(import_id: str, context: ContextDep) -> ImportOut:
    """One import: its state, progress (bytes_read of file_bytes) and figures."""
    jobs = imports.import_jobs(context)
    return import_out(jobs, await imports.existing_import(context.store, import_id))


@router.get("/{import_id}/errors", response_class=FileResponse)
async def import_errors(import_id: str, context: ContextDep) -> FileResponse:
    """The refused rows as CSV: row number, kind and reason."""
    record, path = await imports.errors_file(context, import_id)
    return FileResponse(path, media_type="text/csv", filename=f"{record.id}-errors.csv")
