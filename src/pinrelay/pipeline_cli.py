"""`pinrelay pipeline check | run | list`: test mappings before a server runs them.

- `check FILE...` loads with every check the server applies (strict): exit 1 with the
  problems (file:line:col: path: what is wrong; what would be right) on stderr.
- `run FILE --event EVENT.json` maps one Segment message with the file's pipelines for an
  integration with default settings, through the same `mapping.mapper` as ingest: the
  Pinterest event(s) as JSON on stdout (one object, or an array when several pipelines
  match), or why none on stderr with exit 1. The message is checked as the collect server
  checks it, and the event against our model of the v5 schema and Pinterest's 7-day limit
  on event_time, as delivery would.
- `list` prints what an integration runs, in evaluation order, with where each pipeline comes
  from; it reads the database read-only (`PRAGMA query_only`), so it is safe beside a server.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from pinrelay.errors import PinrelayError, PipelineError
from pinrelay.flags import DbOption, PipelinesDirOption
from pinrelay.mapping.directory import PipelineDirectory
from pinrelay.mapping.mapper import map_for_integration
from pinrelay.mapping.registry import PipelineRegistry, default_integration
from pinrelay.pipeline.duplicates import duplicates_with_presets
from pinrelay.pipeline.evaluator import PipelineSet
from pinrelay.pipeline.events import EventInput
from pinrelay.pipeline.loader import load_pipeline_files
from pinrelay.pipeline.loadproblems import PipelineLoadError
from pinrelay.pipeline.tracing import describe_condition
from pinrelay.settings import load_settings
from pinrelay.store.records import Integration, StoredPipeline

pipeline_app = typer.Typer(
    help="Check, try and list pipelines (YAML event mappings).", no_args_is_help=True
)


def _err(text: str) -> None:
    typer.echo(text, err=True)


def _load(files: list[Path]) -> PipelineSet:
    """The pipelines of `files` (strict), or exit 1 with every problem."""
    try:
        return PipelineSet(load_pipeline_files(files, strict=True))
    except PipelineLoadError as error:
        for problem in error.problems:
            _err(str(problem))
        _err(f"{len(error.problems)} problem(s) found")
    except PipelineError as error:
        _err(str(error))
    raise typer.Exit(1)


@pipeline_app.command("check")
def check(
    files: Annotated[list[Path], typer.Argument(help="Pipeline YAML files.", show_default=False)],
) -> None:
    """Validate pipeline files; exit 1 with every problem found."""
    pipelines = _load(files)
    # with the presets, as an integration with default settings runs them (issue 14)
    duplicates = duplicates_with_presets(pipelines.definitions)
    for problem in duplicates:
        _err(f"problem: {problem}")
    if duplicates:
        _err(f"{len(duplicates)} problem(s) found")
        raise typer.Exit(1)
    typer.echo(f"ok: {len(pipelines)} pipeline(s) in {len(files)} file(s)")


@pipeline_app.command("run")
def run(
    file: Annotated[Path, typer.Argument(help="Pipeline YAML file.", show_default=False)],
    event: Annotated[Path, typer.Option("--event", help="A Segment message as JSON ('-': stdin).")],
) -> None:
    """Map one Segment message; print the Pinterest event JSON, or why none (exit 1)."""
    from pinrelay.collect.messages import MessageRejected, check_message
    from pinrelay.pinterest.validation import event_time_problem

    pipelines = _load([file])
    try:
        text = sys.stdin.read() if str(event) == "-" else event.read_text(encoding="utf-8")
        message = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        _err(f"{event}: cannot read the event as JSON: {error}")
        raise typer.Exit(1) from None
    if not isinstance(message, dict):
        _err(f"{event}: the event must be a JSON object (a Segment message)")
        raise typer.Exit(1)
    try:  # checked like the collect server checks it (e.g. userId or anonymousId)
        message = check_message(
            message, default_type=None, received_at=datetime.now(UTC), batch_sent_at=None
        ).message
    except MessageRejected as error:
        _err(f"{event}: the collect server would refuse this message (400): {error.message}")
        raise typer.Exit(1) from None
    mapped = map_for_integration(default_integration(), EventInput(message), pipelines)
    if not mapped.events:
        _err(f"no event: {mapped.steps[0].get('reason')}")
        raise typer.Exit(1)
    refused = False
    for found in mapped.events:
        name = found.step.get("pipeline")
        for note in found.step.get("notes", ()):
            _err(f"{name}: note: {note}")
        problems = list(found.problems)
        event_time = found.event.get("event_time")
        if isinstance(event_time, int):  # the server dead-letters what Pinterest will refuse
            too_old = event_time_problem(event_time, time.time())
            problems += [f"event_time: {too_old}"] if too_old else []
        for problem in problems:
            refused = True
            _err(f"{name}: Pinterest would refuse the event: {problem}")
    if refused:
        raise typer.Exit(1)
    events: list[dict[str, Any]] = [found.event for found in mapped.events]
    typer.echo(json.dumps(events[0] if len(events) == 1 else events, indent=2, sort_keys=True))


def integration_and_pipelines(
    database_url: str, integration_id: str | None
) -> tuple[Integration, list[StoredPipeline]]:
    """The integration and its stored pipelines, read through the store's read-only API
    (nothing migrated or written: safe beside a running server); default settings and no
    stored pipelines without an id."""
    from pinrelay.store.engines import read_integration

    if integration_id is None:
        return default_integration(), []
    fields, stored = asyncio.run(read_integration(database_url, integration_id))
    integration = Integration(**{**default_integration().__dict__, **fields})
    return integration, stored


@pipeline_app.command("list")
def list_pipelines(
    integration: Annotated[
        str | None,
        typer.Option(help="Integration id.", show_default="an integration with default settings"),
    ] = None,
    db: DbOption = None,
    pipelines: PipelinesDirOption = None,
) -> None:
    """Print the pipelines an integration runs, in order, with their origin and trigger."""
    try:
        settings = load_settings(database_url=db, pipelines_dir=pipelines)
        directory = None
        if settings.pipelines_dir is not None:
            directory = PipelineDirectory(settings.pipelines_dir)
            directory.load()
        found, stored = integration_and_pipelines(settings.database_url, integration)
    except PipelineLoadError as error:
        for problem in error.problems:
            _err(str(problem))
        raise typer.Exit(1) from None
    except PinrelayError as error:
        _err(f"error: {error}")
        raise typer.Exit(1) from None
    registry = PipelineRegistry(directory=directory, stored=lambda _: stored)
    for position, item in enumerate(registry.layers_for(found), start=1):
        trigger = item.definition.trigger
        conditions = " and ".join(describe_condition(c) for c in trigger.conditions)
        when = "/".join(trigger.event_types) + (f" where {conditions}" if conditions else "")
        fallback = " (fallback)" if trigger.fallback else ""
        typer.echo(f"{position:2}. {item.name}  [{item.describe()}]  {when}{fallback}")
