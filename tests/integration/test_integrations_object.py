"""Issue 14: Segment's per-message `integrations` object is honoured (consent tools use it).

Sent with segment-analytics-python over real HTTP: only the messages that let the Pinterest
integration have them reach the sandbox; the others are filtered, with the reason traced.
"""

from __future__ import annotations

from typing import Any

from segment.analytics import Client

from tests.support.servers import GatewayFactory, SandboxHandle

UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1"


def test_all_false_and_the_destination_name_false_keep_the_order_from_pinterest(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    source = gateway.create_source()
    gateway.create_integration(source["id"], name="Pinterest EU")
    client = Client(source["write_key"], host=gateway.collect_url, sync_mode=True)
    cases: dict[str, dict[str, Any] | None] = {
        "o-all-off": {"All": False},
        "o-named-off": {"Pinterest Conversions API": False},
        "o-by-integration-name-off": {"Pinterest EU": False},
        "o-only-pinterest": {"All": False, "Pinterest Conversions API": True},
        "o-no-object": None,
    }
    for order_id, switches in cases.items():
        client.track(
            "buyer-1",
            "Order Completed",
            {"order_id": order_id, "revenue": 10, "currency": "EUR"},
            context={"ip": "81.2.69.142", "userAgent": UA},
            integrations=switches or {},
        )

    delivered = sandbox.wait_for_events(2)
    assert {e["event"]["custom_data"]["order_id"] for e in delivered} == {
        "o-only-pinterest",
        "o-no-object",
    }
    events = gateway.admin("GET", "/v1/admin/events", params={"source_id": source["id"]}).json()
    filtered = {
        e["body"]["properties"]["order_id"]: e["trace"][0]["reason"]
        for e in events
        if e["trace"][0]["outcome"] == "filtered"
    }
    assert filtered == {
        "o-all-off": 'the message\'s integrations object turns it off ("All": false)',
        "o-named-off": (
            'the message\'s integrations object turns it off ("Pinterest Conversions API": false)'
        ),
        "o-by-integration-name-off": (
            'the message\'s integrations object turns it off ("Pinterest EU": false)'
        ),
    }
