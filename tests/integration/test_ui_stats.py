"""`GET /v1/admin/stats/events`: the dashboard's counts per integration, from the event log."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.support.polling import wait_for
from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle


def track(gateway: GatewayHandle, write_key: str, body: dict[str, Any]) -> None:
    httpx.post(
        f"{gateway.collect_url}/v1/track", json=body, auth=(write_key, "")
    ).raise_for_status()


def test_counts_per_integration_and_outcome(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway()
    source = gateway.create_source()
    open_door = gateway.create_integration(source["id"], name="Open")
    consented = gateway.create_integration(
        source["id"], name="Consent", consent_categories=["advertising"]
    )
    identified = {"ip": "203.0.113.5", "userAgent": "Mozilla/5.0"}
    denied = {**identified, "consent": {"categoryPreferences": {"advertising": False}}}
    track(
        gateway,
        source["write_key"],
        {"userId": "u1", "event": "Order Completed", "context": identified},
    )
    track(
        gateway,
        source["write_key"],
        {"userId": "u2", "event": "Order Completed", "context": denied},
    )
    track(gateway, source["write_key"], {"userId": "u3", "event": "Order Completed"})

    response = gateway.admin("GET", "/v1/admin/stats/events", params={"window_seconds": 600})
    assert response.status_code == 200
    stats = response.json()
    assert stats["bucket_seconds"] == 60
    assert len(stats["buckets"]) == 10
    assert stats["buckets"][-1] <= time.time() < stats["buckets"][-1] + 60
    totals = {s["integration_id"]: s["totals"] for s in stats["integrations"]}
    assert totals[open_door["id"]] == {
        "received": 3,
        "queued": 2,
        "filtered": 0,
        "unmatchable": 1,
        "invalid": 0,
        "no_pipeline": 0,
        "delivered": 0,  # this gateway's Pinterest URL answers nothing: all still pending
        "dead": 0,
    }
    assert totals[consented["id"]]["filtered"] == 1
    assert totals[consented["id"]]["queued"] == 1
    series = next(s for s in stats["integrations"] if s["integration_id"] == open_door["id"])
    assert sum(series["series"]["queued"]) == 2


def test_stats_need_the_admin_token(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway()
    assert httpx.get(f"{gateway.admin_url}/v1/admin/stats/events").status_code == 401


def test_delivered_events_are_counted_in_the_minute_pinterest_took_them(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    source = gateway.create_source()
    integration = gateway.create_integration(source["id"])
    for user in ("u1", "u2"):
        track(
            gateway,
            source["write_key"],
            {
                "userId": user,
                "event": "Order Completed",
                "context": {"ip": "203.0.113.5", "userAgent": "Mozilla/5.0"},
            },
        )
    sandbox.wait_for_events(2)

    def two_delivered() -> dict[str, Any] | None:
        (series,) = gateway.admin("GET", "/v1/admin/stats/events").json()["integrations"]
        return series if series["totals"].get("delivered") == 2 else None

    series = wait_for(two_delivered, what="both deliveries in the stats")
    totals = series["totals"]
    assert series["integration_id"] == integration["id"]
    assert totals["delivered"] == 2
    assert totals["dead"] == 0
    assert sum(series["series"]["delivered"][-2:]) == 2  # this minute (or the one before)
