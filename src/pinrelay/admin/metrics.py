"""`GET /metrics`: Prometheus text format, behind the admin token like every admin route.

Prometheus sends it with `authorization: {credentials: <PINRELAY_ADMIN_TOKEN>}` in its scrape
config; leaving it open would show queue depths and integration ids to anyone on the port.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from pinrelay.admin.deps import ContextDep
from pinrelay.metrics import CONTENT_TYPE

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=Response)
async def metrics(context: ContextDep) -> Response:
    """Counters of events, attempts by HTTP status, queue depth and delivery latency."""
    await context.store.refresh_lane_stats()  # queue depths as of this scrape
    body = context.metrics.render() if context.metrics is not None else b""
    return Response(body, media_type=CONTENT_TYPE)
