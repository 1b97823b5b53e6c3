"""Pipelines: the presets with their YAML, and a dry run of an event through them.

A pipeline pasted into the form is checked (problems shown inline, on their lines) and, if
valid, dry-runs over the chosen integration's pipelines as if it were saved for it: the same
override rule as the server (`pipeline.layering`: same name or same trigger replaces).

The dry run is the ingest path without the store: the integration's pipelines from the
server's registry, mapped by `mapping.mapper` like ingest maps them (consent, options,
Pinterest's schema checks), so the answer is the event that would be queued or the reason
none would be.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pinrelay.mapping.mapper import map_for_integration
from pinrelay.mapping.registry import (
    PipelineRegistry,
    default_integration,
    presets_for,
    store_registry,
)
from pinrelay.mapping.trace import Outcome
from pinrelay.pipeline import EventInput, PipelineLoadError, PipelineSet, load_pipeline_text
from pinrelay.pipeline.layering import Layered, layered_set, override
from pinrelay.pipeline.presets import PRESET_FOLDER, PRESET_PACKAGE
from pinrelay.services.context import context_of
from pinrelay.store.records import Integration
from pinrelay.ui.nav import NavItem
from pinrelay.ui.web import FormDep, SessionDep, field, render, store_of

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


def problem_listing(text: str, by_line: dict[int, list[str]]) -> list[dict[str, Any]]:
    """The text line by line, each line with the problems found on it."""
    lines = text.splitlines() or [""]
    problems = [by_line.pop(n, []) for n in range(1, len(lines) + 1)]
    problems[-1].extend(m for ms in by_line.values() for m in ms)  # past the last line
    return [
        {"number": n, "text": line, "problems": found}
        for n, (line, found) in enumerate(zip(lines, problems, strict=True), start=1)
    ]


def check_yaml(
    text: str, layers: list[Layered] | None = None
) -> tuple[PipelineSet | None, list[dict[str, Any]]]:
    """`layers` (default: an integration with default settings' presets) with a pasted
    pipeline over them as if saved, or its problems line by line (each listing line carries
    the problems found on it, so the page shows them inline)."""
    try:
        definitions = load_pipeline_text(text, file_name="pasted.yaml")
    except PipelineLoadError as error:
        by_line: dict[int, list[str]] = {}
        for problem in error.problems:
            where = f"{problem.path}: " if problem.path else ""
            by_line.setdefault(problem.line, []).append(f"{where}{problem.message}")
        return None, problem_listing(text, by_line)
    if layers is None:
        layers = PipelineRegistry().layers_for(default_integration())
    return layered_set(override(layers, [Layered(d, "api") for d in definitions])), []


def dry_run(
    text: str, pipelines: PipelineSet | None = None, integration: Integration | None = None
) -> dict[str, Any]:
    """What ingest would make of one Segment message for `integration` (default settings
    when None) with `pipelines` (default: its presets), or why nothing."""
    try:
        message = json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        return {"error": f"That is not valid JSON: {exc.msg} ({where})."}
    if not isinstance(message, dict):
        return {"error": "Paste one Segment message: a JSON object like the example."}
    integration = integration or default_integration()
    if pipelines is None:
        pipelines = presets_for(integration)
    mapped = map_for_integration(integration, EventInput(message=message), pipelines)
    if not mapped.events:
        (step,) = mapped.steps
        if step["outcome"] is Outcome.NO_PIPELINE:
            return {
                "error": "No pipeline matched this message (check `type` and `event`): "
                f"{step.get('reason')}."
            }
        return {"error": f"Not sent ({step['outcome']}): {step.get('reason')}."}
    return {
        "results": [
            {
                "pipeline": m.step.get("pipeline"),
                "outcome": m.step["outcome"],
                "event": m.event,
                "notes": list(m.step.get("notes", ())),
                "problems": m.problems,
            }
            for m in mapped.events
        ]
    }


def registry_of(request: Request) -> PipelineRegistry:
    """The server's registry (presets, the directory, the integration's own pipelines), or,
    in an app built without one, a registry of the store's pipelines."""
    registry = context_of(request).pipelines
    return registry if registry is not None else store_registry(store_of(request))


def pipelines_of(request: Request, integration: Integration | None) -> PipelineSet:
    """What the ingest path runs for the integration (default settings when none is chosen)."""
    return registry_of(request).pipelines_for(integration or default_integration())


def page(
    request: Request,
    session: Any,
    *,
    integration_id: str | None = None,
    text: str | None = None,
    result: dict[str, Any] | None = None,
    yaml_text: str = "",
    listing: list[dict[str, Any]] | None = None,
    **context: Any,
) -> Response:
    """The pipelines page; everything but the session is optional (what a form re-shows)."""
    store = store_of(request)
    chosen = store.get_integration(integration_id) if integration_id else None
    return render(
        request,
        "pipelines.html",
        session,
        names=pipelines_of(request, chosen).names,
        files=preset_files(),
        integrations=store.list_integrations(),
        chosen=chosen,
        own=store.list_pipelines(chosen.id) if chosen else [],
        event_text=json.dumps(EXAMPLE_EVENT, indent=2) if text is None else text,
        result=result,
        yaml_text=yaml_text,
        listing=listing or [],
        **{"save_error": None, "save_listing": [], "save_yaml": "", **context},
    )


@router.get("/pipelines")
async def pipelines_page(
    request: Request, session: SessionDep, integration_id: str | None = None
) -> Response:
    return page(request, session, integration_id=integration_id)


@router.post("/pipelines/dry-run")
async def pipelines_dry_run(request: Request, session: SessionDep, form: FormDep) -> Response:
    text, yaml_text = field(form, "event"), field(form, "pipeline_yaml")
    integration_id = field(form, "integration_id") or None
    integration = store_of(request).get_integration(integration_id) if integration_id else None
    registry = registry_of(request)
    chosen = integration or default_integration()
    pipelines = registry.pipelines_for(chosen)
    if yaml_text:
        checked, listing = check_yaml(yaml_text, registry.layers_for(chosen))
        if checked is None:
            return page(
                request,
                session,
                integration_id=integration_id,
                text=text,
                yaml_text=yaml_text,
                listing=listing,
            )
        pipelines = checked
    return page(
        request,
        session,
        integration_id=integration_id,
        text=text,
        result=dry_run(text, pipelines, integration),
        yaml_text=yaml_text,
    )
