"""Issue 3, end to end: a Pinterest click on a landing page, then a known customer, then a
server-side order that carries none of it itself: the checkout reaching the sandbox still
has the click id, the email, the phone, the user id, and the visitor's IP and user agent.

Real processes (`pinrelay serve` behind a trusted proxy address, `pinrelay sandbox`), a
browser-shaped request for the landing page, Segment's Python SDK for the rest.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from segment.analytics import Client

from tests.e2e.processes import ServeProcess, start_serve
from tests.e2e.test_spine import configure, wait_for_sandbox

pytestmark = pytest.mark.e2e

BROWSER_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
VISITOR_IP = "198.51.100.23"  # what the load balancer in front of pinrelay saw
EPIK = "dj0yJnU9TWFKZ2hBc3RxVzJ6"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def serve(tmp_path: Path, sandbox_url: str) -> Iterator[ServeProcess]:
    # 127.0.0.1 plays the load balancer: its X-Forwarded-For is believed.
    server = start_serve(
        tmp_path, f"{sandbox_url}/v5", {"PINRELAY_TRUSTED_PROXIES": '["127.0.0.1"]'}
    )
    yield server
    if server.process.poll() is None:
        server.terminate()


def test_landing_click_then_identify_then_order_reaches_the_sandbox_fully_identified(
    serve: ServeProcess, sandbox_url: str
) -> None:
    write_key, _ = configure(serve)

    # 1. The landing page view, as analytics.js sends it from the visitor's browser.
    landing = {
        "type": "page",
        "anonymousId": "anon-7",
        "messageId": str(uuid.uuid4()),
        "context": {
            "library": {"name": "analytics.js", "version": "next-1.70.0"},
            "page": {"url": f"https://shop.example/linen?utm_source=pinterest&epik={EPIK}"},
            "consent": {"categoryPreferences": {"advertising": True}},
        },
    }
    response = httpx.post(
        f"{serve.collect_url}/v1/page",
        auth=(write_key, ""),
        json=landing,
        headers={"User-Agent": BROWSER_UA, "X-Forwarded-For": VISITOR_IP},
    )
    assert response.status_code == 200, response.text

    # 2. and 3. The backend identifies the customer, then confirms the order: no traits, no
    # click id; the visitor's IP and user agent forwarded in context, as server SDKs should.
    client = Client(write_key, host=serve.collect_url, max_retries=1)
    client.identify(
        "user-7",
        {"email": " Jane.Doe@Example.COM", "phone": "+1 (650) 555-1212"},
        anonymous_id="anon-7",
    )
    _, order = client.track(
        "user-7",
        "Order Completed",
        properties={"order_id": "ord-7", "revenue": 42, "currency": "USD"},
        context={"ip": VISITOR_IP, "userAgent": BROWSER_UA},
    )
    client.flush()
    client.join()

    received = {e["event"]["event_name"]: e["event"] for e in wait_for_sandbox(sandbox_url, 2)}
    assert set(received) == {"page_visit", "checkout"}
    assert received["page_visit"]["user_data"] == {
        "client_ip_address": VISITOR_IP,
        "client_user_agent": BROWSER_UA,
        "click_id": EPIK,
    }
    checkout = received["checkout"]
    assert checkout["event_id"] == order["messageId"]
    assert checkout["user_data"] == {
        "em": [sha256("jane.doe@example.com")],
        "ph": [sha256("16505551212")],
        "external_id": [sha256("user-7")],
        "client_ip_address": VISITOR_IP,
        "client_user_agent": BROWSER_UA,
        "click_id": EPIK,
    }
