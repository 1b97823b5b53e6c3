"""Pipelines: the presets with their YAML, and a dry run of an event through them.

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
from pinrelay.pipeline import EventInput, load_presets
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


def dry_run(text: str) -> dict[str, Any]:
    """What the presets make of one Segment message (JSON), or why nothing."""
    try:
        message = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        return {"error": f"That is not valid JSON: {exc.msg} ({where})."}
    if not isinstance(message, dict):
        return {"error": "Paste one Segment message: a JSON object like the example."}
    outputs = load_presets().evaluate(EventInput(message=message))
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


def _page(request: Request, session: Any, text: str, result: dict[str, Any] | None) -> Response:
    pipelines = load_presets()
    return render(
        request,
        "pipelines.html",
        session,
        names=pipelines.names,
        files=preset_files(),
        event_text=text,
        result=result,
    )


@router.get("/pipelines")
async def pipelines_page(request: Request, session: SessionDep) -> Response:
    return _page(request, session, json.dumps(EXAMPLE_EVENT, indent=2), None)


@router.post("/pipelines/dry-run")
async def pipelines_dry_run(request: Request, session: SessionDep, form: FormDep) -> Response:
    text = field(form, "event")
    return _page(request, session, text, dry_run(text))
