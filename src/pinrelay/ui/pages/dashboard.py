"""Dashboard: alerts and paused integrations in plain words first, then charts and queues.

The charts (uPlot, vendored) draw `/dashboard/data`, which the page polls; the same numbers
are in a table under each chart, so the page says everything without JavaScript too.
Hooks: delivery metrics (delivered/failed per bucket, oldest pending age) and match quality
per integration come from other branches; each is one more entry in `alerts()` or one more
series in `/dashboard/data`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from pinrelay.admin.integrations import integration_out
from pinrelay.store.base import Store
from pinrelay.ui.nav import NavItem
from pinrelay.ui.pages.integrations import last_pause_hint
from pinrelay.ui.stats import SERIES, event_stats
from pinrelay.ui.web import SessionDep, render, store_of

router = APIRouter()
NAV = NavItem("/", "Dashboard")


async def alerts(store: Store) -> list[dict[str, str]]:
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
        {"integration": integration_out(i), "counts": await store.outbox_counts(i.id)}
        for i in store.list_integrations()
    ]


@router.get("/")
async def dashboard(request: Request, session: SessionDep) -> Response:
    store = store_of(request)
    stats = await event_stats(store)
    names = {i.id: i.name for i in store.list_integrations()}
    return render(
        request,
        "dashboard.html",
        session,
        alerts=await alerts(store),
        queues=await queues(store),
        stats=stats,
        names=names,
        series=SERIES,
    )


@router.get("/dashboard/data")
async def dashboard_data(request: Request, session: SessionDep) -> JSONResponse:
    store = store_of(request)
    stats = (await event_stats(store)).as_json()
    names = {i.id: i.name for i in store.list_integrations()}
    for item in stats["integrations"]:
        item["name"] = names.get(item["integration_id"], item["integration_id"])
    return JSONResponse(stats)
