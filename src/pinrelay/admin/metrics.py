"""`GET /metrics`: Prometheus text format, behind the admin token like every admin route.

Prometheus sends it with `authorization: {credentials: <PINRELAY_ADMIN_TOKEN>}` in its scrape
config; leaving it open would show queue depths and integration ids to anyone on the port.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pinrelay.metrics import CONTENT_TYPE, Metrics

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    """Counters of events, attempts by HTTP status, queue depth and delivery latency."""
    found: Metrics | None = getattr(request.app.state, "metrics", None)
    await request.app.state.store.refresh_lane_stats()  # queue depths as of this scrape
    body = found.render() if found is not None else b""
    return Response(body, media_type=CONTENT_TYPE)
