"""Dead letters over the admin API: listed with their reason, replayed with the same event_id."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from tests.integration.test_delivery_faults import inject, new_ids, received, send_orders, settled
from tests.support.servers import ADMIN_TOKEN, GatewayFactory, GatewayHandle, SandboxHandle
from tests.support.stores import ON_BOTH_ENGINES

pytestmark = [ON_BOTH_ENGINES]  # the engine matters here: run on SQLite and PostgreSQL


@pytest.fixture
def gateway(start_gateway: GatewayFactory, sandbox: SandboxHandle) -> GatewayHandle:
    return start_gateway(pinterest_api_url=f"{sandbox.url}/v5")


def test_dead_events_are_listed_with_reason_and_replayed_with_the_same_event_id(
    gateway: GatewayHandle, sandbox: SandboxHandle
) -> None:
    source = gateway.create_source()
    integration_id = gateway.create_integration(source["id"])["id"]
    ids = new_ids(3)
    inject(sandbox, status=422, fail_event_ids=ids[:2], share=1.0)
    send_orders(gateway, source["write_key"], 3, ids)
    settled(gateway, integration_id, ids)

    listed = gateway.admin(
        "GET", "/v1/admin/dead-letters", params={"integration_id": integration_id}
    )
    assert listed.status_code == 200
    dead = {e["event_id"]: e for e in listed.json()["entries"]}
    assert set(dead) == set(ids[:2])
    assert {e["reason"] for e in dead.values()} == {
        "Event failed (injected by the pinrelay sandbox)."
    }

    httpx.delete(f"{sandbox.url}/_sandbox/faults")  # the cause is fixed
    one = gateway.admin(
        "POST", "/v1/admin/dead-letters/replay", json={"seqs": [dead[ids[0]]["seq"]]}
    )
    assert one.status_code == 200, one.text
    assert one.json()["replayed"] == 1
    found = settled(gateway, integration_id, ids)
    assert found[ids[0]]["status"] == "delivered"
    assert found[ids[1]]["status"] == "dead"

    rest = gateway.admin(
        "POST", "/v1/admin/dead-letters/replay", json={"integration_id": integration_id}
    )
    assert rest.json()["replayed"] == 1
    found = settled(gateway, integration_id, ids)
    assert {found[i]["status"] for i in ids} == {"delivered"}
    assert received(sandbox) == Counter(ids)  # same event_ids, each delivered once
    assert gateway.admin("GET", "/v1/admin/dead-letters").json()["entries"] == []
    replays = [
        e
        for e in gateway.admin("GET", "/v1/admin/audit").json()
        if e["action"] == "dead_letters.replay"
    ]
    assert [(e["actor"], e["details"]["replayed"]) for e in replays] == [("env", 1), ("env", 1)]


def test_a_replay_needs_a_filter_and_a_time_range_selects(
    gateway: GatewayHandle, sandbox: SandboxHandle
) -> None:
    source = gateway.create_source()
    integration_id = gateway.create_integration(source["id"])["id"]
    refused = gateway.admin("POST", "/v1/admin/dead-letters/replay", json={})
    assert refused.status_code == 400
    assert "integration_id" in refused.json()["error"]["message"]
    ids = new_ids(2)
    inject(sandbox, status=200, fail_event_ids=ids, share=1.0)
    send_orders(gateway, source["write_key"], 2, ids)
    entries = settled(gateway, integration_id, ids)
    httpx.delete(f"{sandbox.url}/_sandbox/faults")
    received_at = min(e["created_at"] for e in entries.values())
    none = gateway.admin(
        "POST", "/v1/admin/dead-letters/replay", json={"until": received_at - 3600}
    )
    assert none.json()["replayed"] == 0
    both = gateway.admin("POST", "/v1/admin/dead-letters/replay", json={"since": received_at - 1})
    assert both.json()["replayed"] == 2
    assert {settled(gateway, integration_id, ids)[i]["status"] for i in ids} == {"delivered"}


def test_metrics_need_the_admin_token_and_count_deliveries(
    gateway: GatewayHandle, sandbox: SandboxHandle
) -> None:
    assert httpx.get(f"{gateway.admin_url}/metrics").status_code == 401
    source = gateway.create_source()
    integration_id = gateway.create_integration(source["id"])["id"]
    ids = new_ids(3)
    inject(sandbox, status=503, count=1)
    send_orders(gateway, source["write_key"], 3, ids)
    settled(gateway, integration_id, ids)
    text = gateway.admin("GET", "/metrics").text
    assert "pinrelay_events_received_total 3.0" in text
    assert "pinrelay_events_queued_total 3.0" in text
    assert f'pinrelay_events_delivered_total{{integration_id="{integration_id}"}} 3.0' in text
    assert f'http_status="503",integration_id="{integration_id}"' in text
    assert f'pinrelay_queue_depth{{integration_id="{integration_id}"}} 0.0' in text
    assert "pinrelay_delivery_latency_seconds_bucket" in text
    assert ADMIN_TOKEN not in text
    assert "pina_sandbox_token" not in text


def test_an_out_of_range_cursor_is_refused_not_a_server_error(gateway: GatewayHandle) -> None:
    response = gateway.admin("GET", "/v1/admin/dead-letters", params={"before": 2**70})
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("query.before")
