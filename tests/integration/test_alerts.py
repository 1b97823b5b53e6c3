"""The alert monitor over a real store: alerts start and end, the webhook hears each once."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from pinrelay.alerts.monitor import AlertMonitor
from pinrelay.alerts.rules import AlertThresholds
from pinrelay.store.records import EventOutcome, OutboxRow
from pinrelay.store.sqlite.store import SQLiteStore
from tests.support.polling import wait_for
from tests.support.records import ingest_record
from tests.support.servers import GatewayFactory, SandboxHandle
from tests.support.stores import opened_store, sample_integration

pytestmark = pytest.mark.anyio


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    async with opened_store(tmp_path / "pinrelay.db") as opened:
        yield opened


async def test_the_webhook_hears_when_an_alert_starts_and_ends(store: SQLiteStore) -> None:
    posts: list[dict[str, list[dict[str, str]]]] = []

    def webhook(request: httpx.Request) -> httpx.Response:
        posts.append(json.loads(request.content))
        return httpx.Response(204)

    monitor = AlertMonitor(
        store,
        thresholds=AlertThresholds(),
        interval_seconds=60,
        webhook_url="https://hooks.example/alerts",
        transport=httpx.MockTransport(webhook),
    )
    assert await monitor.check() == []
    await store.pause_integration("int_1", "conversion token rejected (HTTP 401)")
    [alert] = await monitor.check()
    assert alert.rule == "paused"
    await monitor.check()  # still paused: no second notification
    integration = store.get_integration("int_1")
    assert integration is not None
    await store.update_integration(replace(integration, paused_reason=None))
    assert await monitor.check() == []
    assert [
        ([a["rule"] for a in p["started"]], [a["rule"] for a in p["ended"]]) for p in posts
    ] == [(["paused"], []), ([], ["paused"])]


async def test_a_failing_webhook_is_retried_at_the_next_check(store: SQLiteStore) -> None:
    answers = iter([httpx.Response(502), httpx.Response(204)])
    sent: list[bytes] = []

    def webhook(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if answer.status_code == 204:
            sent.append(request.content)
        return answer

    monitor = AlertMonitor(
        store,
        thresholds=AlertThresholds(),
        interval_seconds=60,
        webhook_url="https://hooks.example/alerts",
        transport=httpx.MockTransport(webhook),
    )
    await store.pause_integration("int_1", "ad account not found")
    await monitor.check()
    assert sent == []
    await monitor.check()
    assert len(sent) == 1
    assert b"ad account not found" in sent[0]


def test_the_admin_api_shows_a_paused_integration(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    gateway = start_gateway(alert_interval_seconds=0.1, pinterest_api_url=f"{sandbox.url}/v5")
    source = gateway.create_source()
    gateway.create_integration(
        source["id"],
        config={
            "ad_account_id": "549764982399",
            "conversion_token": "pina_not_known_to_the_sandbox",
        },
    )
    httpx.post(
        f"{gateway.collect_url}/v1/track",
        auth=(source["write_key"], ""),
        json={
            "userId": "u",
            "event": "Signed Up",
            "context": {"ip": "203.0.113.9", "userAgent": "Mozilla/5.0"},
        },
    ).raise_for_status()

    def rules() -> list[str] | None:
        found = [a["rule"] for a in gateway.admin("GET", "/v1/admin/alerts").json()["alerts"]]
        return found if "paused" in found else None

    assert wait_for(rules, what="the paused alert") == ["paused"]


async def _kill_one_event(store: SQLiteStore, integration_id: str, message_id: str) -> None:
    now = time.time()
    await store.ingest(
        [
            ingest_record(
                message_id,
                rows=(OutboxRow(integration_id, message_id, "checkout", int(now), b"{}"),),
                received_at=now,
            )
        ]
    )
    [claimed] = await store.claim_batch(integration_id, limit=10, now=now, lease_seconds=60)
    await store.record_outcomes([EventOutcome(claimed.seq, "dead", "Invalid event")], None)


async def test_a_dead_letter_before_an_integrations_first_check_alerts(
    store: SQLiteStore,
) -> None:
    await _kill_one_event(store, "int_1", "old")  # dead before this process started
    monitor = AlertMonitor(
        store, thresholds=AlertThresholds(), interval_seconds=60, webhook_url=None
    )
    assert await monitor.check() == []  # what was dead at start is no news
    await store.create_integration(sample_integration(id="int_2", ad_account_id="77"))
    await _kill_one_event(store, "int_2", "new")  # before any check saw int_2
    assert [(a.rule, a.target) for a in await monitor.check()] == [("dead_letters", "int_2")]
