"""`POST /v1/admin/integrations/{id}/test`: send one sample event with ?test=true
(services.testevent builds it and explains Pinterest's answer)."""

from __future__ import annotations

from fastapi import APIRouter

from pinrelay.admin.deps import ERROR_RESPONSES, ContextDep
from pinrelay.services.testevent import TestEventResult
from pinrelay.services.testevent import send_test_event as send_sample

router = APIRouter(
    prefix="/v1/admin/integrations", tags=["integrations"], responses=ERROR_RESPONSES
)


@router.post("/{integration_id}/test")
async def send_test_event(integration_id: str, context: ContextDep) -> TestEventResult:
    """Send a sample event with ?test=true and return Pinterest's answer with a hint."""
    return await send_sample(context, integration_id)
