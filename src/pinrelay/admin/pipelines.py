"""Admin routes for an integration's own pipelines (issue 5): create, list, get, update, delete.

What is checked before a save (strict load, versions, the per-integration limit, duplicates)
is the service's (services.pipelines), so the UI's editor refuses exactly the same.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from pinrelay.admin.deps import ERROR_RESPONSES, ContextDep
from pinrelay.services import pipelines
from pinrelay.services.models.pipelines import (
    PipelineIn,
    PipelineOut,
    PipelineUpdate,
    PipelineVersionOut,
)

router = APIRouter(
    prefix="/v1/admin/integrations/{integration_id}/pipelines",
    tags=["pipelines"],
    responses=ERROR_RESPONSES,
)


@router.post("", status_code=201)
async def create_pipeline(
    integration_id: str, body: PipelineIn, context: ContextDep
) -> PipelineOut:
    """Add a pipeline; a preset with the same name or trigger stops applying."""
    return await pipelines.create_pipeline(context, integration_id, body)


@router.get("")
async def list_pipelines(integration_id: str, context: ContextDep) -> list[PipelineOut]:
    return pipelines.list_pipelines(context, integration_id)


@router.get("/{name}")
async def get_pipeline(integration_id: str, name: str, context: ContextDep) -> PipelineOut:
    return pipelines.get_pipeline(context, integration_id, name)


@router.put("/{name}")
async def update_pipeline(
    integration_id: str, name: str, body: PipelineUpdate, context: ContextDep
) -> PipelineOut:
    """Replace a pipeline with a new version (the name in the YAML must stay the same)."""
    return await pipelines.update_pipeline(context, integration_id, name, body)


@router.delete("/{name}", status_code=204)
async def delete_pipeline(integration_id: str, name: str, context: ContextDep) -> Response:
    await pipelines.delete_pipeline(context, integration_id, name)
    return Response(status_code=204)


@router.get("/{name}/versions")
async def list_versions(
    integration_id: str, name: str, context: ContextDep
) -> list[PipelineVersionOut]:
    """Every version of the name, oldest first, deletions included."""
    return await pipelines.list_versions(context, integration_id, name)
