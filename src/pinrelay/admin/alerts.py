"""Admin route for the current alerts (the same ones the webhook hears about)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from pinrelay.admin.deps import ERROR_RESPONSES, ContextDep

router = APIRouter(prefix="/v1/admin/alerts", tags=["observability"], responses=ERROR_RESPONSES)


class AlertOut(BaseModel):
    key: str
    rule: Literal["paused", "error_rate", "dead_letters", "pending_age", "zero_traffic"]
    severity: Literal["warning", "critical"]
    target: str
    message: str


class AlertsOut(BaseModel):
    evaluated_at: float | None
    alerts: list[AlertOut]


@router.get("")
async def list_alerts(context: ContextDep) -> AlertsOut:
    """The alerts that hold at the last evaluation (every PINRELAY_ALERT_INTERVAL_SECONDS)."""
    monitor = context.alerts
    if monitor is None:  # a process without the monitor: nothing evaluated yet
        return AlertsOut(evaluated_at=None, alerts=[])
    return AlertsOut(
        evaluated_at=monitor.evaluated_at,
        alerts=[AlertOut.model_validate(a, from_attributes=True) for a in monitor.current],
    )
