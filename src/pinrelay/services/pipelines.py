"""An integration's own pipelines, as stored (issue 5): create, list, get, update, delete.

A pipeline is sent as YAML text and checked exactly like `pinrelay pipeline check` (strict),
before anything is stored: an invalid one is refused with 422 and every problem with its
line and column, so a bad pipeline never replaces a good one. Each save makes a new version;
`version` in an update guards against overwriting a change made meanwhile (409). At most
`MAX_PIPELINES_PER_INTEGRATION` user pipelines (directory + admin API) per integration.
"""

from __future__ import annotations

import time
from typing import Any

from pinrelay.errors import Conflict, PipelineError, ResourceNotFound, UnprocessableEntity
from pinrelay.mapping.registry import MAX_PIPELINES_PER_INTEGRATION, PipelineRegistry
from pinrelay.pipeline.duplicates import duplicate_problems
from pinrelay.pipeline.evaluator import PipelineSet
from pinrelay.pipeline.layering import Layered, override
from pinrelay.pipeline.loader import load_pipeline_text
from pinrelay.pipeline.loadproblems import PipelineLoadError
from pinrelay.pipeline.model import PipelineDefinition
from pinrelay.services.context import ServiceContext
from pinrelay.services.integrations import existing_integration
from pinrelay.services.models.pipelines import (
    PipelineIn,
    PipelineOut,
    PipelineUpdate,
    PipelineVersionOut,
)
from pinrelay.store.base import Store
from pinrelay.store.records import StoredPipeline


def pipeline_out(stored: StoredPipeline) -> PipelineOut:
    return PipelineOut(
        integration_id=stored.integration_id,
        name=stored.name,
        version=stored.version,
        yaml=stored.yaml,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )


def checked_definition(yaml: str, file_name: str) -> PipelineDefinition:
    """The one pipeline of `yaml`, or 422 with every problem (line and column included)."""
    try:
        definitions = load_pipeline_text(yaml, file_name=file_name, strict=True)
        if len(definitions) != 1:
            raise UnprocessableEntity(
                f"yaml: holds {len(definitions)} pipelines; send one per request"
            )
        PipelineSet(definitions)  # compiles: anything left that only shows when compiling
    except PipelineLoadError as error:
        details: list[dict[str, Any]] = [
            {"line": p.line, "column": p.column, "path": p.path, "problem": p.message}
            for p in error.problems
        ]
        raise UnprocessableEntity(f"yaml: {error}", details=details) from None
    except PipelineError as error:
        raise UnprocessableEntity(f"yaml: {error}") from None
    return definitions[0]


def current_pipeline(store: Store, integration_id: str, name: str) -> StoredPipeline:
    for stored in store.list_pipelines(integration_id):
        if stored.name == name:
            return stored
    raise ResourceNotFound(f"integration {integration_id!r} has no pipeline named {name!r}")


async def create_pipeline(
    context: ServiceContext, integration_id: str, body: PipelineIn
) -> PipelineOut:
    """Add a pipeline; a preset with the same name or trigger stops applying."""
    store, registry = context.store, context.pipelines
    existing_integration(store, integration_id)
    definition = checked_definition(body.yaml, "pipeline.yaml")
    stored = store.list_pipelines(integration_id)
    if any(item.name == definition.name for item in stored):
        raise Conflict(
            f"name: integration {integration_id!r} already has a pipeline named "
            f"{definition.name!r}; update it with PUT .../pipelines/{definition.name}"
        )
    count = registry.user_pipeline_count(integration_id) if registry else len(stored)
    if count >= MAX_PIPELINES_PER_INTEGRATION:
        raise Conflict(
            f"integration {integration_id!r} already has {count} pipelines, the most allowed "
            f"is {MAX_PIPELINES_PER_INTEGRATION}: delete one, or combine several with "
            "`in` / `any:` conditions"
        )
    _refuse_duplicates(store, registry, integration_id, definition)
    saved = await store.save_pipeline(integration_id, definition.name, body.yaml, now=time.time())
    return pipeline_out(saved)


def _refuse_duplicates(
    store: Store,
    registry: PipelineRegistry | None,
    integration_id: str,
    definition: PipelineDefinition,
) -> None:
    """422 when the new pipeline and another of the integration would send one event twice
    for the same message (pipeline.duplicates), unless it says `duplicates: intended`."""
    integration = store.get_integration(integration_id)
    if registry is None or integration is None:
        return
    layers = override(registry.layers_for(integration), [Layered(definition, "api")])
    problems = duplicate_problems([item.definition for item in layers], involving=definition.name)
    if problems:
        raise UnprocessableEntity(
            "duplicates: " + "; ".join(problems),
            details=[{"path": "trigger", "problem": problem} for problem in problems],
        )


def list_pipelines(context: ServiceContext, integration_id: str) -> list[PipelineOut]:
    existing_integration(context.store, integration_id)
    return [pipeline_out(stored) for stored in context.store.list_pipelines(integration_id)]


def get_pipeline(context: ServiceContext, integration_id: str, name: str) -> PipelineOut:
    existing_integration(context.store, integration_id)
    return pipeline_out(current_pipeline(context.store, integration_id, name))


async def update_pipeline(
    context: ServiceContext, integration_id: str, name: str, body: PipelineUpdate
) -> PipelineOut:
    """Replace a pipeline with a new version (the name in the YAML must stay the same)."""
    store = context.store
    existing_integration(store, integration_id)
    current = current_pipeline(store, integration_id, name)
    definition = checked_definition(body.yaml, f"{name}.yaml")
    if definition.name != name:
        raise UnprocessableEntity(
            f"yaml: name is {definition.name!r} but the URL names {name!r}; to rename, "
            "create the new name and delete the old one"
        )
    if body.version is not None and body.version != current.version:
        raise Conflict(
            f"version: pipeline {name!r} is at version {current.version}, not "
            f"{body.version}: someone changed it meanwhile; GET it, redo your edit, retry"
        )
    _refuse_duplicates(store, context.pipelines, integration_id, definition)
    saved = await store.save_pipeline(integration_id, name, body.yaml, now=time.time())
    return pipeline_out(saved)


async def save_pipeline(
    context: ServiceContext, integration_id: str, yaml: str, *, editing: str | None
) -> PipelineOut:
    """The UI's one Save button: a new version of `editing` (the pipeline the form was
    opened on) if the integration has it, else a new pipeline."""
    stored = context.store.list_pipelines(integration_id)
    if editing and any(p.name == editing for p in stored):
        return await update_pipeline(context, integration_id, editing, PipelineUpdate(yaml=yaml))
    return await create_pipeline(context, integration_id, PipelineIn(yaml=yaml))


async def delete_pipeline(context: ServiceContext, integration_id: str, name: str) -> None:
    existing_integration(context.store, integration_id)
    current_pipeline(context.store, integration_id, name)
    await context.store.delete_pipeline(integration_id, name, now=time.time())


async def list_versions(
    context: ServiceContext, integration_id: str, name: str
) -> list[PipelineVersionOut]:
    """Every version of the name, oldest first, deletions included."""
    existing_integration(context.store, integration_id)
    versions = await context.store.pipeline_versions(integration_id, name)
    if not versions:
        raise ResourceNotFound(f"integration {integration_id!r} never had a pipeline {name!r}")
    return [
        PipelineVersionOut(version=v.version, yaml=v.yaml, created_at=v.created_at)
        for v in versions
    ]
