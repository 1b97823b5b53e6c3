"""Issue 14: rudder-sdk-python's batches (up to 4 MB, RudderStack's gateway limit) are taken.

The SDK drops a batch answered 413 without retrying, so a limit below its batch size loses
every order in it: here 100 orders of ~7.5 KB (one ~750 KB gzip batch) all reach Pinterest.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from rudderstack.analytics import Client

from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle

pytestmark = pytest.mark.e2e

UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def _order(number: int) -> dict[str, Any]:
    """An order of 14 products with long names: about 7.5 KB as JSON."""
    products = [
        {
            "product_id": f"sku-{number}-{i}",
            "name": f"Linen shirt {i}, " + "hand-finished seams and mother-of-pearl buttons " * 9,
            "price": 19.5,
            "quantity": 1,
        }
        for i in range(14)
    ]
    return {"order_id": f"o-{number}", "revenue": 234.0, "currency": "EUR", "products": products}


def _send(gateway: GatewayHandle, write_key: str, orders: int, **options: Any) -> list[Any]:
    errors: list[Any] = []
    client = Client(
        write_key,
        host=gateway.collect_url,
        on_error=lambda error, batch: errors.append(error),
        max_retries=0,
        **options,
    )
    for number in range(orders):
        client.track(
            user_id=f"buyer-{number}",
            event="Order Completed",
            properties=_order(number),
            context={"ip": "81.2.69.142", "userAgent": UA},
        )
    client.flush()
    client.join()
    return errors


def _stored(gateway: GatewayHandle, source_id: str) -> int:
    response = gateway.admin(
        "GET", "/v1/admin/events", params={"source_id": source_id, "limit": 1000}
    )
    return len(response.json())


def test_rudder_sdk_python_delivers_100_orders_of_7_5_kb_in_one_batch(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    source = gateway.create_source()
    gateway.create_integration(source["id"])
    assert 7_000 < len(json.dumps(_order(1))) < 8_000

    errors = _send(gateway, source["write_key"], 100)

    assert errors == []
    events = sandbox.wait_for_events(100, timeout=60)
    checkouts = {e["event"]["custom_data"]["order_id"] for e in events}
    assert checkouts == {f"o-{n}" for n in range(100)}


def test_a_4_mb_batch_without_gzip_is_taken_whole(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway()
    source = gateway.create_source()

    # upload_size 600: the SDK fills the batch until it passes 4 MB (~540 orders)
    errors = _send(gateway, source["write_key"], 545, gzip=False, upload_size=600)

    assert errors == []
    deadline = time.monotonic() + 30
    while _stored(gateway, source["id"]) < 545 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _stored(gateway, source["id"]) == 545
