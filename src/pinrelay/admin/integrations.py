"""Admin routes for integrations: the Pinterest ad accounts a source delivers to."""

from __future__ import annotations

from fastapi import APIRouter, Response

from pinrelay.admin.auth import ActorDep
from pinrelay.admin.deps import ERROR_RESPONSES, ContextDep
from pinrelay.services import integrations
from pinrelay.services.models.integrations import (
    IntegrationCreate,
    IntegrationOut,
    IntegrationPatch,
)

router = APIRouter(
    prefix="/v1/admin/integrations", tags=["integrations"], responses=ERROR_RESPONSES
)


@router.post("", status_code=201)
async def create_integration(
    body: IntegrationCreate, context: ContextDep, actor: ActorDep
) -> IntegrationOut:
    """Create an integration; the body is the one of Datafly Signal's Pinterest integration."""
    return await integrations.create_integration(context, body, actor=actor)


@router.get("")
async def list_integrations(
    context: ContextDep, source_id: str | None = None
) -> list[IntegrationOut]:
    return [integrations.integration_out(i) for i in context.store.list_integrations(source_id)]


@router.get("/{integration_id}")
async def get_integration(integration_id: str, context: ContextDep) -> IntegrationOut:
    found = integrations.existing_integration(context.store, integration_id)
    return integrations.integration_out(found)


@router.patch("/{integration_id}")
async def update_integration(
    integration_id: str, body: IntegrationPatch, context: ContextDep, actor: ActorDep
) -> IntegrationOut:
    """Change the fields the body names; a new config (or enabling) resumes a paused one."""
    return await integrations.update_integration(context, integration_id, body, actor=actor)


@router.delete("/{integration_id}", status_code=204)
async def delete_integration(integration_id: str, context: ContextDep, actor: ActorDep) -> Response:
    """Delete an integration and its pipelines; refused while events wait for delivery."""
    await integrations.delete_integration(context, integration_id, actor=actor)
    return Response(status_code=204)
