"""Imports: upload an export, pick or edit a mapping, preview it, start it, watch it.

The page acts through the same import service as the admin API (services.imports) and
audits the same actions. The upload is a multipart form: the file part is spooled to a
private temporary file by the form parser (never whole in memory), then streamed into the
import directory. While an import runs its page refreshes itself every few seconds (no
script needed).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from pinrelay.errors import HTTPError, ImportFileError
from pinrelay.offline.jobs import ImportJobs
from pinrelay.offline.mapping import BUILT_IN
from pinrelay.services import imports as service
from pinrelay.services.context import context_of
from pinrelay.services.imports import ImportSpecIn
from pinrelay.ui.nav import NavItem
from pinrelay.ui.web import (
    FormDep,
    SessionDep,
    checked_form,
    field,
    redirect,
    render,
    store_of,
)

router = APIRouter()
NAV = NavItem("/imports", "Imports")
UPLOAD_CHUNK_BYTES = 1024 * 1024
FORM_OVERHEAD_BYTES = 64 * 1024  # multipart headers and the small fields beside the file
REFRESH_SECONDS = 2


def jobs_of(request: Request) -> ImportJobs | None:
    return context_of(request).imports


async def _file_chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(UPLOAD_CHUNK_BYTES):
        yield chunk


def _spec_form(form: FormData) -> dict[str, Any]:
    custom = field(form, "mapping_yaml")
    return {
        "source_id": field(form, "source_id"),
        "mapping": custom or field(form, "mapping") or "generic",
        "timezone": field(form, "timezone") or None,
        "event": field(form, "event") or None,
        "time_format": field(form, "time_format") or None,
    }


@router.get("/imports")
async def list_imports(request: Request, session: SessionDep) -> Response:
    store = store_of(request)
    jobs = jobs_of(request)
    imports = await store.list_imports(limit=100) if jobs else []
    return render(
        request,
        "imports.html",
        session,
        imports=imports,
        available=jobs is not None,
        max_mb=(jobs.max_bytes // 1024**2) if jobs else 0,
    )


@router.post("/imports/upload")
async def upload(request: Request, session: SessionDep) -> Response:
    jobs = jobs_of(request)
    if jobs is None:
        return redirect("/imports", session, "Imports run in `pinrelay serve` only.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > jobs.max_bytes + FORM_OVERHEAD_BYTES:
        return redirect(
            "/imports", session, f"The file is over {jobs.max_bytes // 1024**2} MB: split it."
        )
    form = await checked_form(request, session)  # the same CSRF check as every form
    upload_file = form.get("file")
    if not isinstance(upload_file, UploadFile) or not upload_file.filename:
        return redirect("/imports", session, "Choose a file to upload.")
    try:
        record = await service.upload(
            context_of(request),
            _file_chunks(upload_file),
            file_name=upload_file.filename,
            actor=session.actor,
        )
    except HTTPError as exc:
        return redirect("/imports", session, exc.message)
    finally:
        await upload_file.close()  # the spooled temporary copy is deleted here
    return redirect(f"/imports/{record.id}", session, "Uploaded: choose a mapping, preview, start.")


async def _page(request: Request, session: Any, import_id: str, **extra: Any) -> Response:
    store = store_of(request)
    jobs = jobs_of(request)
    record = await store.get_import(import_id[:100])
    if record is None or jobs is None:
        return render(request, "not_found.html", session, status_code=404, what="import")
    figures = record.figures
    percent = round(100 * record.bytes_read / record.file_bytes) if record.file_bytes else 0
    spec = {"mapping": "generic", "source_id": "", "timezone": "", "event": "", "time_format": ""}
    spec.update({k: v for k, v in extra.pop("spec", {}).items() if v})
    return render(
        request,
        "import.html",
        session,
        record=record,
        figures=figures,
        percent=percent,
        refresh=REFRESH_SECONDS if record.status == "running" else None,
        has_errors=jobs.errors_path(record.id).exists(),
        sources=store.list_sources(),
        built_in=BUILT_IN,
        spec=spec,
        **{"preview": None, "problem": None, **extra},
    )


@router.get("/imports/{import_id}")
async def show_import(request: Request, import_id: str, session: SessionDep) -> Response:
    return await _page(request, session, import_id)


@router.post("/imports/{import_id}")
async def act_on_import(
    request: Request, import_id: str, session: SessionDep, form: FormDep
) -> Response:
    """The preview or start button: both take the mapping form."""
    store = store_of(request)
    jobs = jobs_of(request)
    record = await store.get_import(import_id[:100])
    if record is None or jobs is None:
        return render(request, "not_found.html", session, status_code=404, what="import")
    values = _spec_form(form)
    context = context_of(request)
    try:
        body = ImportSpecIn.model_validate(values)
        if field(form, "action") == "start":
            await service.start(context, record.id, body, actor=session.actor)
            return redirect(f"/imports/{record.id}", session, "Import started.")
        run = await service.preview(context, record.id, body, events=3)
    except ValidationError as exc:
        message = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        return await _page(request, session, import_id, spec=values, problem=message)
    except (HTTPError, ImportFileError) as exc:  # a problem to show beside the form
        return await _page(request, session, import_id, spec=values, problem=exc.message)
    preview = {
        "figures": run.figures.as_dict(),
        "events": run.preview,
        "refused": run.refused_sample,
    }
    return await _page(request, session, import_id, spec=values, preview=preview)


@router.get("/imports/{import_id}/errors")
async def download_errors(request: Request, import_id: str, session: SessionDep) -> Response:
    jobs = jobs_of(request)
    record = await store_of(request).get_import(import_id[:100])
    if record is None or jobs is None or not jobs.errors_path(record.id).exists():
        return render(request, "not_found.html", session, status_code=404, what="error file")
    return FileResponse(
        jobs.errors_path(record.id), media_type="text/csv", filename=f"{record.id}-errors.csv"
    )
