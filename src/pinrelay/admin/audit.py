"""Admin route for the audit log: who changed which configuration, and when."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from pinrelay.admin.deps import ERROR_RESPONSES, MAX_PAGE, MAX_SEQ, ContextDep

router = APIRouter(prefix="/v1/admin/audit", tags=["security"], responses=ERROR_RESPONSES)


class AuditOut(BaseModel):
    id: int
    at: float
    actor: str
    action: str
    target: str
    details: dict[str, Any]


@router.get("")
async def list_audit(
    context: ContextDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    before: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
) -> list[AuditOut]:
    """Configuration changes, newest first; secrets appear masked, never in clear."""
    entries = await context.store.list_audit(limit=limit, before=before)
    return [
        AuditOut(
            id=e.id, at=e.at, actor=e.actor, action=e.action, target=e.target, details=e.details
        )
        for e in entries
    ]
