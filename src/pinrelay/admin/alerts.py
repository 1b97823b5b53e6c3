"""Admin route for the current alerts (the same ones the webhook hears about)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from pinrelay.admin.deps import ERROR_RESPONSES
from pinrelay.alerts.monitor import AlertMonitor

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
async def list_alerts(request: Request) -> AlertsOut:
    """The alerts that hold at the last evaluation (every PINRELAY_ALERT_INTERVAL_SECONDS)."""
    monitor: AlertMonitor = request.app.state.alerts
    return AlertsOut(
        evaluated_at=monitor.evaluated_at,
        alerts=[AlertOut.model_validate(a, from_attributes=True) for a in monitor.current],
    )
