"""The event debugger: filters, one event's journey, and the live stream."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import httpx

from tests.support.polling import wait_for
from tests.support.servers import ADMIN_TOKEN, GatewayFactory, GatewayHandle, SandboxHandle
from tests.support.stores import ON_BOTH_ENGINES

pytestmark = [ON_BOTH_ENGINES]  # the engine matters here: run on SQLite and PostgreSQL

UA = "Mozilla/5.0 (X11; Linux x86_64)"


def send(gateway: GatewayHandle, write_key: str, **message: Any) -> str:
    message.setdefault("messageId", str(uuid.uuid4()))
    message.setdefault("context", {"ip": "203.0.113.4", "userAgent": UA})
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch", auth=(write_key, ""), json={"batch": [message]}
    )
    assert response.status_code == 200, response.text
    return str(message["messageId"])


def events(gateway: GatewayHandle, **params: Any) -> list[dict[str, Any]]:
    response = gateway.admin("GET", "/v1/admin/events", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def test_filters_narrow_the_event_log(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway()
    source = gateway.create_source()
    gateway.create_integration(source["id"], consent_categories=["advertising"])
    key = source["write_key"]
    send(gateway, key, type="track", event="Order Completed", userId="alice")
    send(gateway, key, type="page", anonymousId="anon-b", name="Home")
    denied = send(
        gateway,
        key,
        type="track",
        event="Signed Up",
        userId="carol",
        context={
            "ip": "203.0.113.4",
            "userAgent": UA,
            "consent": {"categoryPreferences": {"advertising": False}},
        },
    )
    no_identity = send(
        gateway, key, type="track", event="Lead Generated", userId="dave", context={}
    )

    assert [e["name"] for e in events(gateway, type="track", name="Order Completed")] == [
        "Order Completed"
    ]
    assert [e["anonymous_id"] for e in events(gateway, anonymous_id="anon-b")] == ["anon-b"]
    assert [e["message_id"] for e in events(gateway, outcome="filtered")] == [denied]
    assert [e["message_id"] for e in events(gateway, outcome="unmatchable")] == [no_identity]
    assert len(events(gateway, outcome="queued")) == 2
    assert events(gateway, since=time.time() + 60) == []
    assert len(events(gateway, source_id=source["id"])) == 4


def test_one_event_shows_why_it_was_not_sent(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway()
    source = gateway.create_source()
    gateway.create_integration(source["id"])
    send(gateway, source["write_key"], type="track", event="Lead Generated", userId="u", context={})
    seq = events(gateway)[0]["seq"]
    event = gateway.admin("GET", f"/v1/admin/events/{seq}").json()
    [step] = event["trace"]
    assert step["outcome"] == "unmatchable"
    assert "em, hashed_maids, or both client_ip_address and client_user_agent" in step["reason"]
    assert gateway.admin("GET", "/v1/admin/events/999999").status_code == 404


def test_the_live_stream_delivers_new_events(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway()
    source = gateway.create_source()
    send(gateway, source["write_key"], type="page", userId="before", name="Old")
    received: list[dict[str, Any]] = []
    open_ = threading.Event()

    def listen() -> None:
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        with httpx.stream(
            "GET", f"{gateway.admin_url}/v1/admin/events/stream", headers=headers, timeout=20
        ) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            open_.set()  # the stream's starting point is fixed before its headers are sent
            for line in response.iter_lines():
                if line.startswith("data: "):
                    received.append(json.loads(line[6:]))
                    return

    listener = threading.Thread(target=listen)
    listener.start()
    assert open_.wait(timeout=20)
    message_id = send(gateway, source["write_key"], type="page", userId="after", name="New")
    listener.join(timeout=20)
    assert [e["message_id"] for e in received] == [message_id]  # not the older event


def test_one_call_shows_the_journey_to_pinterests_answer(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    source = gateway.create_source()
    gateway.create_integration(source["id"])
    message_id = send(
        gateway,
        source["write_key"],
        type="track",
        event="Order Completed",
        userId="alice",
        properties={"revenue": 42.5, "order_id": "o-1"},
    )
    sandbox.wait_for_events(1)
    seq = events(gateway)[0]["seq"]

    def delivered() -> dict[str, Any] | None:
        journey: dict[str, Any] = gateway.admin("GET", f"/v1/admin/events/{seq}").json()
        deliveries = journey["deliveries"]
        return journey if deliveries and deliveries[0]["status"] == "delivered" else None

    journey = wait_for(delivered, what="the delivery")
    assert journey["message_id"] == message_id
    assert journey["trace"][0]["outcome"] == "queued"
    [step] = journey["deliveries"]
    assert step["status"] == "delivered"
    assert step["payload"]["event_id"] == message_id
    assert step["payload"]["custom_data"]["value"] == "42.5"
    assert step["payload"] == sandbox.events()[0]["event"]  # exactly what Pinterest received
    assert step["hint"] is None


def test_the_delivery_log_says_what_to_do(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    source = gateway.create_source()
    integration = gateway.create_integration(
        source["id"],
        config={"ad_account_id": "549764982399", "conversion_token": "pina_unknown_to_sandbox_00"},
    )
    send(gateway, source["write_key"], type="track", event="Signed Up", userId="u")
    path = f"/v1/admin/integrations/{integration['id']}/attempts"
    attempts: list[dict[str, Any]] = wait_for(lambda: gateway.admin("GET", path).json())
    assert attempts[0]["http_status"] == 401
    assert "Ads Manager" in attempts[0]["hint"]
