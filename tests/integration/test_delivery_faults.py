"""The real gateway against the real sandbox, with each fault Pinterest or the network can throw.

Every test sends events through the collect API, injects a fault with POST /_sandbox/faults,
and checks per event where it ended (admin API) and that the sandbox received each delivered
event_id (more than once only where the fault made a retry ambiguous: a cut or late answer).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.support.polling import wait_for
from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle
from tests.support.stores import ON_BOTH_ENGINES

pytestmark = [ON_BOTH_ENGINES]  # the engine matters here: run on SQLite and PostgreSQL

Entries = dict[str, dict[str, Any]]


def new_ids(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


def send_orders(
    gateway: GatewayHandle, write_key: str, count: int, ids: list[str] | None = None
) -> list[str]:
    """`count` Order Completed events, acknowledged; returns their ids (= Pinterest event_id)."""
    ids = ids or new_ids(count)
    batch: list[dict[str, Any]] = [
        {
            "type": "track",
            "event": "Order Completed",
            "userId": f"user-{i}",
            "messageId": ids[i],
            "context": {"ip": "203.0.113.7", "userAgent": "Mozilla/5.0 (faults)"},
            "properties": {"order_id": f"o-{i}", "revenue": 10.5, "currency": "USD"},
        }
        for i in range(count)
    ]
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch", auth=(write_key, ""), json={"batch": batch}
    )
    assert response.status_code == 200, response.text
    return [m["messageId"] for m in batch]


def entries(gateway: GatewayHandle, integration_id: str) -> Entries:
    response = gateway.admin(
        "GET", "/v1/admin/deliveries", params={"integration_id": integration_id, "limit": 1000}
    )
    assert response.status_code == 200, response.text
    return {e["event_id"]: e for e in response.json()["entries"]}


def wait_until(
    check: Callable[[], bool], *, timeout: float = 30.0, what: str = "the condition"
) -> None:
    wait_for(check, timeout=timeout, what=what)


def settled(gateway: GatewayHandle, integration_id: str, ids: list[str]) -> Entries:
    """Wait until none of `ids` is pending any more; return their entries."""
    found: Entries = {}

    def done() -> bool:
        nonlocal found
        found = entries(gateway, integration_id)
        return all(found.get(i, {}).get("status") in ("delivered", "dead") for i in ids)

    wait_until(done, what="every event to be delivered or dead")
    return found


def received(sandbox: SandboxHandle) -> Counter[str]:
    return Counter(e["event"]["event_id"] for e in sandbox.events())


def inject(sandbox: SandboxHandle, **fault: Any) -> None:
    response = httpx.post(f"{sandbox.url}/_sandbox/faults", json=fault)
    assert response.status_code == 201, response.text


@pytest.fixture
def setup(start_gateway: GatewayFactory, sandbox: SandboxHandle) -> tuple[GatewayHandle, str, str]:
    gateway = start_gateway(
        pinterest_api_url=f"{sandbox.url}/v5",
        pinterest_timeout_seconds=1.0,
        delivery_inflight_batches=2,
    )
    source = gateway.create_source()
    integration = gateway.create_integration(source["id"])
    return gateway, source["write_key"], integration["id"]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_until_delivered_once(
    setup: tuple[GatewayHandle, str, str], sandbox: SandboxHandle, status: int
) -> None:
    gateway, write_key, integration_id = setup
    inject(sandbox, status=status, count=2)
    ids = send_orders(gateway, write_key, 5)
    found = settled(gateway, integration_id, ids)
    assert {found[i]["status"] for i in ids} == {"delivered"}
    assert received(sandbox) == Counter(ids)  # a 5xx carried nothing: no duplicates
    log = httpx.get(f"{sandbox.url}/_sandbox/requests").json()
    assert [r["status"] for r in log].count(status) == 2
    assert all(found[i]["attempts"] >= 1 for i in ids)


def test_a_429_waits_for_x_ratelimit_reset_then_delivers(
    setup: tuple[GatewayHandle, str, str], sandbox: SandboxHandle
) -> None:
    gateway, write_key, integration_id = setup
    inject(sandbox, status=429, count=1, reset_seconds=1)
    ids = send_orders(gateway, write_key, 3)
    found = settled(gateway, integration_id, ids)
    assert {found[i]["status"] for i in ids} == {"delivered"}
    assert received(sandbox) == Counter(ids)
    log = httpx.get(f"{sandbox.url}/_sandbox/requests").json()
    assert [r["status"] for r in log] == [429, 200]
    first, second = (datetime.fromisoformat(r["received_at"]) for r in log)
    assert (second - first).total_seconds() >= 0.99  # never before X-RateLimit-Reset


@pytest.mark.parametrize(
    ("status", "says"),
    [(401, "conversion token"), (403, "ad account"), (404, "Tag ID")],
)
def test_a_rejected_token_or_account_pauses_until_the_config_changes(
    setup: tuple[GatewayHandle, str, str], sandbox: SandboxHandle, status: int, says: str
) -> None:
    gateway, write_key, integration_id = setup
    inject(sandbox, status=status, count=1)
    ids = send_orders(gateway, write_key, 4)

    def paused() -> bool:
        return bool(
            gateway.admin("GET", f"/v1/admin/integrations/{integration_id}").json()["paused_reason"]
        )

    wait_until(paused, what="the integration to pause")
    integration = gateway.admin("GET", f"/v1/admin/integrations/{integration_id}").json()
    assert integration["status"] == "paused"
    assert says in integration["paused_reason"]
    assert {e["status"] for e in entries(gateway, integration_id).values()} == {"pending"}
    assert received(sandbox) == Counter()

    fixed = {"config": {"ad_account_id": "549764982399", "conversion_token": "pina_sandbox_token"}}
    response = gateway.admin("PATCH", f"/v1/admin/integrations/{integration_id}", json=fixed)
    assert response.status_code == 200, response.text
    found = settled(gateway, integration_id, ids)
    assert {found[i]["status"] for i in ids} == {"delivered"}
    assert received(sandbox) == Counter(ids)


@pytest.mark.parametrize("status", [200, 422])
def test_chosen_failed_events_are_dead_with_pinterests_message(
    setup: tuple[GatewayHandle, str, str], sandbox: SandboxHandle, status: int
) -> None:
    gateway, write_key, integration_id = setup
    ids = new_ids(4)
    inject(sandbox, status=status, fail_event_ids=ids[:2], share=1.0)
    send_orders(gateway, write_key, 4, ids)
    found = settled(gateway, integration_id, ids)
    for bad in ids[:2]:
        assert found[bad]["status"] == "dead"
        assert found[bad]["last_error"] == "Event failed (injected by the pinrelay sandbox)."
    for good in ids[2:]:
        assert found[good]["status"] == "delivered"
        assert "click_id is missing" in found[good]["warning"]
    assert received(sandbox) == Counter(ids[2:])


def test_a_batch_refused_whole_is_split_until_the_bad_event_is_alone(
    setup: tuple[GatewayHandle, str, str], sandbox: SandboxHandle
) -> None:
    gateway, write_key, integration_id = setup
    ids = new_ids(8)
    poison = ids[5]
    inject(sandbox, status=400, fail_event_ids=[poison], share=1.0)
    send_orders(gateway, write_key, 8, ids)
    found = settled(gateway, integration_id, ids)
    assert found[poison]["status"] == "dead"
    assert "Pinterest refused the event" in found[poison]["last_error"]
    assert {found[i]["status"] for i in ids if i != poison} == {"delivered"}
    assert received(sandbox) == Counter(i for i in ids if i != poison)


def test_a_slow_answer_times_out_and_is_retried(
    setup: tuple[GatewayHandle, str, str], sandbox: SandboxHandle
) -> None:
    gateway, write_key, integration_id = setup
    inject(sandbox, delay_seconds=2.0, count=1)  # the client gives up after 1 s
    ids = send_orders(gateway, write_key, 3)
    found = settled(gateway, integration_id, ids)
    assert {found[i]["status"] for i in ids} == {"delivered"}
    wait_until(lambda: set(received(sandbox)) == set(ids), what="the late answer's events")
    # The late answer was processed too: each event arrived once or twice, never lost.
    assert set(received(sandbox).values()) <= {1, 2}


def test_a_dropped_connection_is_retried_with_the_same_event_ids(
    setup: tuple[GatewayHandle, str, str], sandbox: SandboxHandle
) -> None:
    gateway, write_key, integration_id = setup
    inject(sandbox, drop=True, count=1)
    ids = send_orders(gateway, write_key, 3)
    found = settled(gateway, integration_id, ids)
    assert {found[i]["status"] for i in ids} == {"delivered"}
    # The cut answer's events were recorded before the cut: the retry is a duplicate that
    # Pinterest deduplicates by event_id (ambiguous by nature).
    assert received(sandbox) == Counter(dict.fromkeys(ids, 2))


def test_a_share_of_failing_requests_still_delivers_everything(
    setup: tuple[GatewayHandle, str, str], sandbox: SandboxHandle
) -> None:
    gateway, write_key, integration_id = setup
    inject(sandbox, status=503, share=0.5)
    ids = send_orders(gateway, write_key, 30)
    found = settled(gateway, integration_id, ids)
    assert {found[i]["status"] for i in ids} == {"delivered"}
    assert received(sandbox) == Counter(ids)


def test_retries_give_up_only_after_the_budget(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    gateway = start_gateway(
        pinterest_api_url=f"{sandbox.url}/v5",
        delivery_max_attempts=3,
        delivery_retry_window_seconds=0,
    )
    source = gateway.create_source()
    integration_id = gateway.create_integration(source["id"])["id"]
    inject(sandbox, status=503, share=1.0)
    ids = send_orders(gateway, source["write_key"], 2)
    found = settled(gateway, integration_id, ids)
    for event_id in ids:
        assert found[event_id]["status"] == "dead"
        assert found[event_id]["attempts"] == 3
        assert found[event_id]["last_error"].startswith("gave up after 3 attempts")
    assert received(sandbox) == Counter()
