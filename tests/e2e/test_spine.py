"""The spine, end to end: Segment's own Python SDK -> `pinrelay serve` -> the sandbox.

Everything is real: the CLI runs as subprocesses, the SDK speaks HTTP to the collect port,
the worker delivers over HTTP to `pinrelay sandbox`, and the assertions read what the sandbox
received, byte for byte as Pinterest would.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from segment.analytics import Client

from tests.e2e.processes import ServeProcess, start_serve
from tests.support.polling import eventually
from tests.support.servers import AD_ACCOUNT, ADMIN_TOKEN, CONVERSION_TOKEN

pytestmark = pytest.mark.e2e

HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def serve(tmp_path: Path, sandbox_url: str) -> Iterator[ServeProcess]:
    server = start_serve(tmp_path, f"{sandbox_url}/v5")
    yield server
    if server.process.poll() is None:
        server.terminate()


def configure(server: ServeProcess) -> tuple[str, str]:
    """Create a source and a Pinterest integration through the admin API."""
    source = httpx.post(
        f"{server.admin_url}/v1/admin/sources", headers=HEADERS, json={"name": "Shop"}
    ).json()
    integration = httpx.post(
        f"{server.admin_url}/v1/admin/integrations",
        headers=HEADERS,
        json={
            "source_id": source["id"],
            "vendor": "pinterest_ads",
            "name": "Pinterest Ads Production",
            "enabled": True,
            "config": {"ad_account_id": AD_ACCOUNT, "conversion_token": CONVERSION_TOKEN},
            "consent_categories": ["advertising"],
        },
    )
    assert integration.status_code == 201, integration.text
    return source["write_key"], integration.json()["id"]


def wait_for_sandbox(sandbox_url: str, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []

    def enough() -> bool:
        events[:] = httpx.get(f"{sandbox_url}/_sandbox/events").json()
        return len(events) >= count

    if not eventually(enough, timeout=timeout, interval=0.1):
        raise AssertionError(f"the sandbox has {len(events)} events, expected {count}")
    return events


@pytest.mark.parametrize("gzip", [False, True])
def test_segment_sdk_events_reach_the_sandbox_exactly(
    serve: ServeProcess, sandbox_url: str, gzip: bool
) -> None:
    write_key, _ = configure(serve)
    client = Client(write_key, host=serve.collect_url, gzip=gzip, max_retries=1)
    context = {"ip": "198.51.100.23", "userAgent": UA}
    # On a whole second: the server corrects the SDK's clock by the time the batch took to
    # reach it (received - (sentAt - timestamp)), which must not push event_time over a second.
    happened = (datetime.now(UTC) - timedelta(minutes=5)).replace(microsecond=0)
    client.identify(
        "user-42",
        {"email": "  Jane.Doe@Example.COM ", "firstName": "Jane"},
        context=context,
        anonymous_id="anon-1",
    )
    _, page = client.page(
        "user-42",
        name="Landing",
        anonymous_id="anon-1",
        context={
            **context,
            "page": {"url": "https://shop.example/shirts?utm_source=pinterest&epik=dj0yJnU9abc"},
        },
        timestamp=happened,
    )
    _, order = client.track(
        "user-42",
        "Order Completed",
        anonymous_id="anon-1",
        context=context,
        timestamp=happened,
        properties={
            "order_id": "ord-1001",
            "revenue": 99.5,
            "currency": "eur",
            "products": [
                {"product_id": "sku-1", "name": "Linen shirt", "price": 49.75, "quantity": 2}
            ],
        },
    )
    client.flush()
    client.join()

    received = {e["event"]["event_name"]: e for e in wait_for_sandbox(sandbox_url, 2)}
    assert set(received) == {"page_visit", "checkout"}
    assert all(e["ad_account_id"] == AD_ACCOUNT for e in received.values())

    user_data = {
        "em": [sha256("jane.doe@example.com")],
        "fn": [sha256("jane")],
        "external_id": [sha256("user-42")],
        "client_ip_address": "198.51.100.23",
        "client_user_agent": UA,
    }
    assert received["page_visit"]["event"] == {
        "event_name": "page_visit",
        "action_source": "web",
        "event_time": int(happened.timestamp()),
        "event_id": page["messageId"],
        "event_source_url": "https://shop.example/shirts?utm_source=pinterest&epik=dj0yJnU9abc",
        "user_data": {**user_data, "click_id": "dj0yJnU9abc"},
    }
    checkout = received["checkout"]["event"]
    assert checkout == {
        "event_name": "checkout",
        "action_source": "web",
        "event_time": int(happened.timestamp()),
        "event_id": order["messageId"],
        # the landing page's click id, remembered for the device (issue 3)
        "user_data": {**user_data, "click_id": "dj0yJnU9abc"},
        "custom_data": {
            "currency": "EUR",
            "value": "99.5",
            "order_id": "ord-1001",
            "content_ids": ["sku-1"],
            "contents": [
                {"id": "sku-1", "item_name": "Linen shirt", "item_price": "49.75", "quantity": 2}
            ],
            "num_items": 2,
        },
    }


def test_sigkill_after_acknowledgement_loses_nothing(tmp_path: Path, sandbox_url: str) -> None:
    # Pinterest is unreachable while the first server runs, so every acknowledged event is
    # still in the outbox when the server is killed without warning.
    first = start_serve(tmp_path, "http://127.0.0.1:9/v5")
    write_key, integration_id = configure(first)
    acknowledged: list[str] = []
    for batch_number in range(20):
        batch: list[dict[str, Any]] = [
            {
                "type": "track",
                "event": "Product Added",
                "userId": f"u{batch_number}",
                "messageId": str(uuid.uuid4()),
                "context": {"ip": "203.0.113.1", "userAgent": UA},
            }
            for _ in range(25)
        ]
        response = httpx.post(
            f"{first.collect_url}/v1/batch", auth=(write_key, ""), json={"batch": batch}
        )
        assert response.status_code == 200
        acknowledged += [m["messageId"] for m in batch]
    first.kill()

    second = start_serve(tmp_path, f"{sandbox_url}/v5")
    try:
        received = wait_for_sandbox(sandbox_url, len(acknowledged), timeout=60)
        assert {e["event"]["event_id"] for e in received} == set(acknowledged)
        counts = httpx.get(
            f"{second.admin_url}/v1/admin/deliveries",
            headers=HEADERS,
            params={"integration_id": integration_id},
        ).json()["counts"]
        assert counts["delivered"] == len(acknowledged)
    finally:
        second.terminate()


def test_sigkill_while_delivering_still_delivers_everything(
    tmp_path: Path, sandbox_url: str
) -> None:
    first = start_serve(tmp_path, f"{sandbox_url}/v5")
    write_key, _ = configure(first)
    acknowledged: list[str] = []
    for batch_number in range(40):
        batch: list[dict[str, Any]] = [
            {
                "type": "page",
                "userId": f"u{batch_number}",
                "messageId": str(uuid.uuid4()),
                "context": {"ip": "203.0.113.1", "userAgent": UA},
            }
            for _ in range(50)
        ]
        response = httpx.post(
            f"{first.collect_url}/v1/batch", auth=(write_key, ""), json={"batch": batch}
        )
        assert response.status_code == 200
        acknowledged += [m["messageId"] for m in batch]
    first.kill()  # right after the last acknowledgement, mid-delivery

    second = start_serve(tmp_path, f"{sandbox_url}/v5")
    try:
        deadline = time.monotonic() + 60
        seen: set[str] = set()
        while time.monotonic() < deadline and not seen >= set(acknowledged):
            seen = {
                e["event"]["event_id"] for e in httpx.get(f"{sandbox_url}/_sandbox/events").json()
            }
            time.sleep(0.1)
        assert seen >= set(acknowledged)  # at-least-once: duplicates allowed, losses not
    finally:
        second.terminate()


def test_sigterm_drains_and_exits_cleanly(serve: ServeProcess) -> None:
    assert serve.terminate() == 0
    assert '"action": "server.stopped"' in serve.output()


def test_serve_refuses_to_start_without_an_admin_token(tmp_path: Path) -> None:
    from tests.e2e.processes import PINRELAY

    result = subprocess.run(
        [PINRELAY, "serve", "--db", f"sqlite:///{tmp_path / 'x.db'}"],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 2
    assert "PINRELAY_ADMIN_TOKEN" in result.stderr
