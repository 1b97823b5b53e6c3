"""Dashboard: alerts and paused integrations in plain words first, then charts and queues.

The charts (uPlot, vendored) draw `/dashboard/data`, which the page polls; the same numbers
are in a table under each chart, so the page says everything without JavaScript too.
The alert monitor's current alerts (error rate, oldest pending age, zero traffic) are shown
beside the immediate ones computed here (paused, dead letters), and each integration's match
quality (share of queued events per key, and the score) sits under its chart.
Hook: delivery metrics (delivered/failed per bucket) from the delivery-metrics branch become
more series in `/dashboard/data`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from pinrelay.alerts.monitor import AlertMonitor
from pinrelay.services.context import ServiceContext, context_of
from pinrelay.services.eventstats import SERIES
from pinrelay.services.integrations import integration_out
from pinrelay.services.matchquality import match_quality
from pinrelay.services.models.quality import MatchQualityOut
from pinrelay.services.rangestats import RANGES, range_of, range_stats
from pinrelay.services.recovered import recovered_by_integration
from pinrelay.store.base import Store
from pinrelay.ui.nav import NavItem
from pinrelay.ui.pages.integrations import last_pause_hint
from pinrelay.ui.web import SessionDep, render, store_of

router = APIRouter()
NAV = NavItem("/", "Dashboard")


IMMEDIATE_RULES = frozenset({"paused", "dead_letters"})  # computed here, without the delay
MATCH_QUALITY_HOURS = 168


def monitor_alerts(monitor: AlertMonitor | None, store: Store) -> list[dict[str, str]]:
    """The alert monitor's alerts other than those `alerts()` already says, with a link."""
    found: list[dict[str, str]] = []
    for alert in monitor.current if monitor else []:
        if alert.rule in IMMEDIATE_RULES:
            continue
        if store.get_integration(alert.target) is not None:
            link = f"/integrations/{alert.target}"
        else:
            link = f"/events?source_id={alert.target}"
        level = "error" if alert.severity == "critical" else "warning"
        found.append({"level": level, "text": alert.message, "link": link})
    return found


async def qualities(context: ServiceContext) -> dict[str, MatchQualityOut]:
    return {
        i.id: await match_quality(context, i.id, hours=MATCH_QUALITY_HOURS)
        for i in context.store.list_integrations()
    }


async def alerts(store: Store, monitor: AlertMonitor | None = None) -> list[dict[str, str]]:
    """What needs a person now, as sentences (and where to go to fix it)."""
    found: list[dict[str, str]] = []
    for integration in store.list_integrations():
        link = f"/integrations/{integration.id}"
        if integration.enabled and integration.paused_reason:
            attempts = await store.list_attempts(integration.id, limit=20)
            hint = last_pause_hint(attempts) or ""
            found.append(
                {
                    "level": "error",
                    "text": f"{integration.name} is paused: delivery stopped because "
                    f"Pinterest said: {integration.paused_reason}. {hint} Events wait in the "
                    "queue and are sent once it is fixed.",
                    "link": link,
                }
            )
        counts = await store.outbox_counts(integration.id)
        if counts.get("dead"):
            found.append(
                {
                    "level": "warning",
                    "text": f"{integration.name} has {counts['dead']} event(s) Pinterest will "
                    "never accept (dead letters): see the reasons in Deliveries.",
                    "link": f"/deliveries?integration_id={integration.id}&status=dead",
                }
            )
    if not store.list_sources():
        found.append(
            {
                "level": "info",
                "text": "No source yet: create one to get a write key.",
                "link": "/sources",
            }
        )
    return found


async def queues(store: Store) -> list[dict[str, Any]]:
    return [
        {
            "integration": integration_out(i),
            "counts": await store.outbox_counts(i.id),
            "oldest_pending": await store.oldest_pending_created_at(i.id),
        }
        for i in store.list_integrations()
    ]


@router.get("/")
async def dashboard(request: Request, session: SessionDep) -> Response:
    store = store_of(request)
    chosen = range_of(request.query_params.get("range"))
    stats = await range_stats(store, chosen)
    names = {i.id: i.name for i in store.list_integrations()}
    return render(
        request,
        "dashboard.html",
        session,
        alerts=await alerts(store, context_of(request).alerts),
        queues=await queues(store),
        qualities=await qualities(context_of(request)),
        quality_hours=MATCH_QUALITY_HOURS,
        stats=stats,
        names=names,
        series=SERIES,
        ranges=list(RANGES),
        chosen_range=chosen,
        recovered=await recovered_by_integration(store),
    )


@router.get("/dashboard/data")
async def dashboard_data(request: Request, session: SessionDep) -> JSONResponse:
    store = store_of(request)
    stats = (await range_stats(store, range_of(request.query_params.get("range")))).as_json()
    names = {i.id: i.name for i in store.list_integrations()}
    for item in stats["integrations"]:
        item["name"] = names.get(item["integration_id"], item["integration_id"])
    return JSONResponse(stats)
