"""Pipelines: the presets with their YAML, and a dry run of an event through them.

A pipeline pasted into the form is checked (problems shown inline, on their lines) and, if
valid, dry-runs with the presets (same name replaces a preset). Saving user pipelines is the
pipelines API's job (another branch): its list becomes one more section of this page.

The dry run is the ingest path without the store: the same pipelines, then Pinterest's
schema checks (pinterest.validation), so the answer is the event that would be queued or the
reason none would be.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pinrelay.pinterest.validation import validate_event
from pinrelay.pipeline import (
    EventInput,
    PipelineLoadError,
    PipelineSet,
    load_pipeline_text,
    load_presets,
)
from pinrelay.pipeline.presets import PRESET_FOLDER, PRESET_PACKAGE
from pinrelay.ui.nav import NavItem
from pinrelay.ui.web import FormDep, SessionDep, field, render

router = APIRouter()
NAV = NavItem("/pipelines", "Pipelines")

EXAMPLE_EVENT = {
    "type": "track",
    "event": "Order Completed",
    "messageId": "dry-run-1",
    "timestamp": "2026-01-01T12:00:00Z",
    "userId": "user-42",
    "context": {
        "ip": "203.0.113.10",
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
        "traits": {"email": "jane@example.com"},
    },
    "properties": {"order_id": "o-1", "revenue": 42.5, "currency": "EUR"},
}


def preset_files() -> list[dict[str, str]]:
    folder = files(PRESET_PACKAGE).joinpath(PRESET_FOLDER)
    entries = sorted(
        (e for e in folder.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name
    )
    return [{"file": e.name, "yaml": e.read_text(encoding="utf-8")} for e in entries]


def check_yaml(text: str) -> tuple[PipelineSet | None, list[dict[str, Any]]]:
    """The presets overridden by a pasted pipeline, or its problems line by line.

    Each listing line carries the problems found on it, so the page shows them inline.
    """
    try:
        definitions = load_pipeline_text(text, file_name="pasted.yaml")
    except PipelineLoadError as error:
        by_line: dict[int, list[str]] = {}
        for problem in error.problems:
            where = f"{problem.path}: " if problem.path else ""
            by_line.setdefault(problem.line, []).append(f"{where}{problem.message}")
        lines = text.splitlines() or [""]
        problems = [by_line.pop(n, []) for n in range(1, len(lines) + 1)]
        problems[-1].extend(m for ms in by_line.values() for m in ms)  # past the last line
        listing: list[dict[str, Any]] = [
            {"number": n, "text": line, "problems": found}
            for n, (line, found) in enumerate(zip(lines, problems, strict=True), start=1)
        ]
        return None, listing
    return load_presets().overridden_by(definitions), []


def dry_run(text: str, pipelines: PipelineSet | None = None) -> dict[str, Any]:
    """What the pipelines (presets by default) make of one Segment message, or why nothing."""
    try:
        message = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        return {"error": f"That is not valid JSON: {exc.msg} ({where})."}
    if not isinstance(message, dict):
        return {"error": "Paste one Segment message: a JSON object like the example."}
    outputs = (pipelines or load_presets()).evaluate(EventInput(message=message))
    if not outputs:
        return {"error": "No pipeline matched this message (check `type` and `event`)."}
    return {
        "results": [
            {
                "pipeline": o.pipeline,
                "event": o.event,
                "notes": list(o.notes),
                "problems": validate_event(o.event),
            }
            for o in outputs
        ]
    }


def _page(
    request: Request,
    session: Any,
    text: str,
    result: dict[str, Any] | None,
    yaml_text: str = "",
    listing: list[dict[str, Any]] | None = None,
) -> Response:
    return render(
        request,
        "pipelines.html",
        session,
        names=load_presets().names,
        files=preset_files(),
        event_text=text,
        result=result,
        yaml_text=yaml_text,
        listing=listing or [],
    )


@router.get("/pipelines")
async def pipelines_page(request: Request, session: SessionDep) -> Response:
    return _page(request, session, json.dumps(EXAMPLE_EVENT, indent=2), None)


@router.post("/pipelines/dry-run")
async def pipelines_dry_run(request: Request, session: SessionDep, form: FormDep) -> Response:
    text, yaml_text = field(form, "event"), field(form, "pipeline_yaml")
    pipelines: PipelineSet | None = None
    if yaml_text:
        pipelines, listing = check_yaml(yaml_text)
        if pipelines is None:
            return _page(request, session, text, None, yaml_text, listing)
    return _page(request, session, text, dry_run(text, pipelines), yaml_text)
