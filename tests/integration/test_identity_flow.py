"""Identity over real HTTP: the identity store, click ids, cookies, IP/UA, bots, match quality.

A real gateway (trusting 127.0.0.1 as its proxy, as behind a load balancer) delivers to a
real sandbox; assertions read what the sandbox received and what the admin API reports.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from pinrelay.identity.hashing import sha256_hex
from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle
from tests.support.stores import ON_BOTH_ENGINES

pytestmark = [ON_BOTH_ENGINES]  # the engine matters here: run on SQLite and PostgreSQL

BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"
BOT = "Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)"


@pytest.fixture
def gateway(start_gateway: GatewayFactory, sandbox: SandboxHandle) -> GatewayHandle:
    return start_gateway(pinterest_api_url=f"{sandbox.url}/v5", trusted_proxies=["127.0.0.1"])


def _source(gateway: GatewayHandle, **body: Any) -> dict[str, Any]:
    response = gateway.admin("POST", "/v1/admin/sources", json={"name": "Shop", **body})
    assert response.status_code == 201, response.text
    source: dict[str, Any] = response.json()
    return source


def _send(gateway: GatewayHandle, write_key: str, kind: str, headers: Any, **message: Any) -> None:
    body = {"messageId": str(uuid.uuid4()), **message}
    response = httpx.post(
        f"{gateway.collect_url}/v1/{kind}", auth=(write_key, ""), json=body, headers=headers
    )
    assert response.status_code == 200, response.text


def _browser(cookies: str = "") -> dict[str, str]:
    headers = {"User-Agent": BROWSER, "X-Forwarded-For": "198.51.100.30"}
    if cookies:
        headers["Cookie"] = cookies
    return headers


SERVER = {"User-Agent": "analytics-python/2.4.0"}


def test_keys_click_id_and_cookies_follow_the_person_to_a_server_side_order(
    gateway: GatewayHandle, sandbox: SandboxHandle
) -> None:
    source = _source(gateway)
    patched = gateway.admin(
        "PATCH", f"/v1/admin/sources/{source['id']}", json={"default_country": "gb"}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["default_country"] == "GB"
    gateway.create_integration(source["id"], settings={"anonymous_id_as_external_id": True})
    key = source["write_key"]
    browser_context = {"library": {"name": "analytics.js", "version": "4.1"}}

    _send(
        gateway,
        key,
        "page",
        _browser("_pin_unauth=PU-1; other=x"),
        anonymousId="anon-1",
        context={**browser_context, "page": {"url": "https://shop.example/?epik=EPIK-1"}},
    )
    _send(
        gateway,
        key,
        "track",
        _browser(),
        anonymousId="anon-1",
        event="Product Added",
        context={**browser_context, "traits": {"email": "Jane@Example.com"}},
    )
    _send(
        gateway,
        key,
        "identify",
        SERVER,
        userId="u-1",
        anonymousId="anon-1",
        traits={"phone": "07700 900123"},
        context={"library": {"name": "analytics-python"}},
    )
    _send(gateway, key, "track", SERVER, userId="u-1", event="Order Completed",
          properties={"order_id": "o-1", "revenue": 10},
          context={"library": {"name": "analytics-python"}, "ip": "198.51.100.99",
                   "userAgent": BROWSER})  # fmt: skip

    received = {e["event"]["event_name"]: e["event"] for e in sandbox.wait_for_events(3)}
    assert set(received) == {"page_visit", "add_to_cart", "checkout"}
    page = received["page_visit"]["user_data"]
    assert page == {
        "external_id": [sha256_hex("PU-1"), sha256_hex("anon-1")],
        "client_ip_address": "198.51.100.30",  # X-Forwarded-For from the trusted proxy
        "client_user_agent": BROWSER,  # the browser's own header
        "click_id": "EPIK-1",
    }
    checkout = received["checkout"]["user_data"]
    assert checkout == {
        "em": [sha256_hex("jane@example.com")],
        "ph": [sha256_hex("447700900123")],  # national number read in the source's GB
        "external_id": [sha256_hex("u-1"), sha256_hex("PU-1")],
        "client_ip_address": "198.51.100.99",  # the server SDK's context.ip, not its own
        "client_user_agent": BROWSER,
        "click_id": "EPIK-1",  # remembered for the device, linked to the user by identify
    }


def test_bots_are_not_sent_and_the_trace_says_why(gateway: GatewayHandle) -> None:
    source = _source(gateway)
    gateway.create_integration(source["id"])
    crawler = {"User-Agent": BOT, "X-Forwarded-For": "66.249.66.1"}
    _send(gateway, source["write_key"], "page", crawler, anonymousId="crawler",
          context={"library": {"name": "analytics.js"}})  # fmt: skip
    events = gateway.admin("GET", "/v1/admin/events").json()
    (step,) = events[0]["trace"]
    assert step["outcome"] == "filtered"
    assert "bot traffic" in step["reason"]
    assert "pinterestbot" in step["reason"].lower()


def test_a_server_sdk_without_context_ip_is_unmatchable_and_a_bad_phone_is_noted(
    gateway: GatewayHandle,
) -> None:
    source = _source(gateway)
    gateway.create_integration(source["id"])
    _send(gateway, source["write_key"], "track", SERVER, userId="u-2", event="Signed Up",
          context={"library": {"name": "analytics-node"}, "traits": {"phone": "12"}})  # fmt: skip
    (step,) = gateway.admin("GET", "/v1/admin/events").json()[0]["trace"]
    assert step["outcome"] == "unmatchable"
    assert any(
        note.startswith("context.traits.phone: not a usable phone number") for note in step["notes"]
    )


def test_match_quality_reports_the_share_of_each_key_and_the_score(
    gateway: GatewayHandle,
) -> None:
    source = _source(gateway)
    integration = gateway.create_integration(source["id"])
    for number in range(4):
        traits = {"email": f"p{number}@example.com"} if number % 2 == 0 else {}
        _send(gateway, source["write_key"], "track", _browser(), anonymousId=f"a{number}",
              event="Signed Up", context={"traits": traits})  # fmt: skip
    response = gateway.admin("GET", f"/v1/admin/integrations/{integration['id']}/match-quality")
    assert response.status_code == 200, response.text
    quality = response.json()
    shares = {entry["key"]: entry["share"] for entry in quality["keys"]}
    assert quality["events"] == 4
    assert shares["em"] == 0.5
    assert shares["ip_ua"] == 1.0
    assert shares["ph"] == 0.0
    assert quality["score"] == 35 * 0.5 + 10 * 1.0
    missing = gateway.admin("GET", "/v1/admin/integrations/int_nope/match-quality")
    assert missing.status_code == 404


def test_default_country_is_validated(gateway: GatewayHandle) -> None:
    assert _source(gateway)["default_country"] == "US"
    assert _source(gateway, default_country="de")["default_country"] == "DE"
    response = gateway.admin(
        "POST", "/v1/admin/sources", json={"name": "x", "default_country": "XX"}
    )
    assert response.status_code == 422
    assert "ISO-3166" in response.json()["error"]["message"]
    assert gateway.admin("PATCH", "/v1/admin/sources/src_nope", json={}).status_code == 404
