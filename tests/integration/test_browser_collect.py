"""The collect server for browsers (pinrelay.js): CORS per source, server-set cookies, the
device id, the public config, and consent required by a source. Real HTTP on loopback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pinrelay.collect.servercookies import COOKIE_MAX_AGE, DEVICE_COOKIE
from pinrelay.collect.static import collector
from tests.support.polling import eventually
from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle

SHOP = "https://shop.example"
TAG_ID = "2612345678901"


def _source(gateway: GatewayHandle, **settings: Any) -> dict[str, Any]:
    response = gateway.admin("POST", "/v1/admin/sources", json={"name": "Web", **settings})
    assert response.status_code == 201, response.text
    source: dict[str, Any] = response.json()
    return source


def _page(url: str = f"{SHOP}/?epik=abc", **extra: Any) -> dict[str, Any]:
    return {"type": "page", "context": {"page": {"url": url}}, **extra}


def _post(
    gateway: GatewayHandle,
    key: str,
    messages: list[dict[str, Any]],
    *,
    origin: str | None = SHOP,
    cookies: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    sent = {"origin": origin} if origin else {}
    sent.update(headers or {})
    if cookies:
        sent["cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return httpx.post(
        f"{gateway.collect_url}/v1/batch",
        content=httpx.Request("POST", "/", json={"writeKey": key, "batch": messages}).content,
        headers={"content-type": "text/plain;charset=UTF-8", **sent},
    )


def _cookies(response: httpx.Response) -> dict[str, str]:
    """name -> the whole Set-Cookie line."""
    lines = response.headers.get_list("set-cookie")
    return {line.split("=", 1)[0]: line for line in lines}


@pytest.fixture
def gateway(start_gateway: GatewayFactory) -> GatewayHandle:
    return start_gateway()


def test_an_allowed_origin_gets_cors_headers_and_the_events_are_stored(
    gateway: GatewayHandle,
) -> None:
    source = _source(gateway, allowed_origins=[SHOP])
    response = _post(gateway, source["write_key"], [_page()])
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == SHOP
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in response.headers["vary"]


def test_another_origin_is_refused_with_a_message_saying_what_to_add(
    gateway: GatewayHandle,
) -> None:
    source = _source(gateway, allowed_origins=[SHOP])
    response = _post(gateway, source["write_key"], [_page()], origin="https://evil.example")
    assert response.status_code == 403
    message = response.json()["message"]
    assert "https://evil.example" in message
    assert "allowed_origins" in message
    assert source["write_key"] not in message
    events = gateway.admin("GET", "/v1/admin/events").json()
    assert events == []


@pytest.mark.parametrize("origin", [SHOP, "https://evil.example"])
def test_refusals_carry_no_cors_headers_so_no_page_can_read_them(
    gateway: GatewayHandle, origin: str
) -> None:
    source = _source(gateway, allowed_origins=[SHOP])
    unknown_key = _post(gateway, "wk_unknown", [_page()], origin=origin)
    assert unknown_key.status_code == 401
    refused = _post(gateway, source["write_key"], [_page()], origin="https://evil.example")
    assert refused.status_code == 403
    for response in (unknown_key, refused):
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-credentials" not in response.headers


def test_a_bad_message_from_an_allowed_origin_is_readable_by_its_page(
    gateway: GatewayHandle,
) -> None:
    source = _source(gateway, allowed_origins=[SHOP])
    response = _post(gateway, source["write_key"], [{"type": ["page"]}])
    assert response.status_code == 400
    assert response.headers["access-control-allow-origin"] == SHOP


def test_a_source_without_origins_refuses_browsers_but_not_servers(
    gateway: GatewayHandle,
) -> None:
    source = _source(gateway)
    assert _post(gateway, source["write_key"], [_page()]).status_code == 403
    server = _post(gateway, source["write_key"], [_page(anonymousId="a1")], origin=None)
    assert server.status_code == 200
    assert "set-cookie" not in server.headers  # a server-side sender gets no cookies


def test_preflight_is_answered_for_an_origin_some_source_allows(gateway: GatewayHandle) -> None:
    _source(gateway, allowed_origins=[SHOP])
    ok = httpx.options(
        f"{gateway.collect_url}/v1/batch",
        headers={
            "origin": SHOP,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == SHOP
    assert "POST" in ok.headers["access-control-allow-methods"]
    assert "content-type" in ok.headers["access-control-allow-headers"].lower()
    refused = httpx.options(
        f"{gateway.collect_url}/v1/batch",
        headers={"origin": "https://other.example", "access-control-request-method": "POST"},
    )
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers
    assert "allowed_origins" in refused.json()["message"]


def test_a_landing_sets_epik_and_a_device_id_for_400_days(gateway: GatewayHandle) -> None:
    source = _source(gateway, allowed_origins=[SHOP])
    response = _post(gateway, source["write_key"], [_page()])
    cookies = _cookies(response)
    epik = cookies["_epik"]
    assert epik.startswith("_epik=abc;")
    for attribute in (f"Max-Age={COOKIE_MAX_AGE}", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in epik
    assert COOKIE_MAX_AGE >= 34_560_000
    assert "Secure" not in epik  # plain http and no trusted proxy
    assert "Domain=" not in epik  # no cookie_domain: the collect host only
    assert f"Max-Age={COOKIE_MAX_AGE}" in cookies[DEVICE_COOKIE]


def test_a_page_without_a_click_sets_no_epik_but_keeps_the_device_id(
    gateway: GatewayHandle,
) -> None:
    source = _source(gateway, allowed_origins=[SHOP])
    first = _cookies(_post(gateway, source["write_key"], [_page(f"{SHOP}/")]))
    assert "_epik" not in first
    device = first[DEVICE_COOKIE].split(";")[0].split("=", 1)[1]
    again = _post(
        gateway, source["write_key"], [_page(f"{SHOP}/p")], cookies={DEVICE_COOKIE: device}
    )
    assert _cookies(again)[DEVICE_COOKIE].startswith(f"{DEVICE_COOKIE}={device};")


def test_the_device_id_is_the_anonymous_id_of_browser_events(gateway: GatewayHandle) -> None:
    source = _source(gateway, allowed_origins=[SHOP])
    device = "0b5a3c1e-8f0a-4a57-9a53-3b2f3a6f9f10"
    _post(gateway, source["write_key"], [_page()], cookies={DEVICE_COOKIE: device})
    _post(
        gateway, source["write_key"], [_page(anonymousId="mine")], cookies={DEVICE_COOKIE: device}
    )
    events = gateway.admin("GET", "/v1/admin/events").json()
    assert sorted(e["anonymous_id"] for e in events) == sorted([device, "mine"])


def test_secure_behind_a_trusted_proxy_that_says_https(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway(trusted_proxies=["127.0.0.1"])
    source = _source(gateway, allowed_origins=[SHOP], cookie_domain="shop.example")
    response = _post(
        gateway,
        source["write_key"],
        [_page()],
        headers={"x-forwarded-proto": "https", "host": "t.shop.example"},
    )
    epik = _cookies(response)["_epik"]
    assert "Secure" in epik
    assert "Domain=shop.example" in epik


def test_https_from_an_untrusted_peer_is_not_believed(gateway: GatewayHandle) -> None:
    source = _source(gateway, allowed_origins=[SHOP])
    response = _post(
        gateway, source["write_key"], [_page()], headers={"x-forwarded-proto": "https"}
    )
    assert "Secure" not in _cookies(response)["_epik"]


def test_a_cookie_domain_the_host_is_not_inside_is_left_out(gateway: GatewayHandle) -> None:
    source = _source(gateway, allowed_origins=[SHOP], cookie_domain="shop.example")
    response = _post(gateway, source["write_key"], [_page()])  # host is 127.0.0.1
    assert "Domain=" not in _cookies(response)["_epik"]


def _checkout(message_id: str, url: str = f"{SHOP}/checkout") -> dict[str, Any]:
    return {
        "type": "track",
        "event": "Order Completed",
        "messageId": message_id,
        "context": {"page": {"url": url}, "ip": "203.0.113.9", "userAgent": "Mozilla/5.0"},
        "properties": {"order_id": "o-1", "revenue": 10, "currency": "USD"},
    }


def _delivered(sandbox: SandboxHandle, count: int) -> dict[str, dict[str, Any]]:
    return {e["event"]["event_id"]: e["event"] for e in sandbox.wait_for_events(count)}


def test_a_conversion_weeks_later_carries_the_click_id_of_the_cookie(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    source = _source(gateway, allowed_origins=[SHOP])
    gateway.create_integration(source["id"])
    landing = _post(gateway, source["write_key"], [_page()])
    epik = _cookies(landing)["_epik"].split(";")[0].split("=", 1)[1]
    # ... weeks later: the page has no epik any more, the browser sends the cookie back
    _post(gateway, source["write_key"], [_checkout("m-1")], cookies={"_epik": epik})
    # a newer click replaces the cookie's
    newer = _post(gateway, source["write_key"], [_checkout("m-2", f"{SHOP}/?epik=xyz")])
    assert _cookies(newer)["_epik"].startswith("_epik=xyz;")
    delivered = _delivered(sandbox, 3)
    assert delivered["m-1"]["user_data"]["click_id"] == "abc"
    assert delivered["m-2"]["user_data"]["click_id"] == "xyz"


def test_a_source_that_requires_consent_filters_events_that_grant_nothing(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    source = _source(gateway, allowed_origins=[SHOP], consent_required=True)
    integration = gateway.create_integration(source["id"])  # asks for no category itself
    granted = _checkout("m-granted")
    granted["context"]["consent"] = {"categoryPreferences": {"analytics": True}}
    _post(gateway, source["write_key"], [_checkout("m-none"), granted])
    assert list(_delivered(sandbox, 1)) == ["m-granted"]
    events = {e["message_id"]: e for e in gateway.admin("GET", "/v1/admin/events").json()}
    (step,) = events["m-none"]["trace"]
    assert step["outcome"] == "filtered"
    assert "requires consent" in step["reason"]
    counts = gateway.admin("GET", f"/v1/admin/sources/{source['id']}/outcomes").json()
    assert counts["integrations"][integration["id"]] == {"filtered": 1, "queued": 1}


def test_pinrelay_js_is_served_versioned_and_cacheable(gateway: GatewayHandle) -> None:
    built = collector()
    plain = httpx.get(f"{gateway.collect_url}/pinrelay.js")
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/javascript")
    assert plain.content == built.code
    assert plain.headers["etag"] == built.etag
    assert "max-age=300" in plain.headers["cache-control"]
    versioned = httpx.get(f"{gateway.collect_url}/pinrelay.js", params={"v": built.version})
    assert "immutable" in versioned.headers["cache-control"]
    revalidated = httpx.get(
        f"{gateway.collect_url}/pinrelay.js", headers={"if-none-match": built.etag}
    )
    assert revalidated.status_code == 304
    assert revalidated.content == b""


def _config(gateway: GatewayHandle, key: str, origin: str = SHOP) -> httpx.Response:
    return httpx.get(
        f"{gateway.collect_url}/v1/config", params={"writeKey": key}, headers={"origin": origin}
    )


def test_the_public_config_maps_events_to_the_tag_and_holds_no_secret(
    gateway: GatewayHandle,
) -> None:
    source = _source(gateway, allowed_origins=[SHOP], tag_dedup=True, consent_required=True)
    gateway.create_integration(
        source["id"], consent_categories=["advertising"], settings={"tag_id": TAG_ID}
    )
    response = _config(gateway, source["write_key"])
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SHOP
    config = response.json()
    assert config["consent_required"] is True
    tag = config["tag"]
    assert tag["ids"] == [TAG_ID]
    assert tag["categories"] == ["advertising"]
    assert tag["events"]["page"] == "pagevisit"
    assert tag["events"]["Order Completed"] == "checkout"
    assert tag["events"]["Product Added"] == "addtocart"
    assert tag["other"] == "custom"
    text = response.text
    for secret in ("pina_", "549764982399", source["write_key"]):
        assert secret not in text


def test_the_tag_stays_off_until_the_source_switch_is_on(gateway: GatewayHandle) -> None:
    source = _source(gateway, allowed_origins=[SHOP])
    gateway.create_integration(source["id"], settings={"tag_id": TAG_ID})
    assert _config(gateway, source["write_key"]).json()["tag"] is None
    patched = gateway.admin("PATCH", f"/v1/admin/sources/{source['id']}", json={"tag_dedup": True})
    assert patched.json()["tag_dedup"] is True
    assert _config(gateway, source["write_key"]).json()["tag"]["ids"] == [TAG_ID]


def test_the_config_refuses_other_origins_and_unknown_keys(gateway: GatewayHandle) -> None:
    source = _source(gateway, allowed_origins=[SHOP])
    assert _config(gateway, source["write_key"], "https://evil.example").status_code == 403
    assert _config(gateway, "wk_unknown").status_code == 401


def test_browser_settings_are_set_patched_and_survive_a_restart(
    start_gateway: GatewayFactory,
) -> None:
    gateway = start_gateway()
    source = _source(
        gateway, allowed_origins=["https://Shop.example/"], cookie_domain=".shop.example"
    )
    assert source["allowed_origins"] == [SHOP]
    assert source["cookie_domain"] == "shop.example"
    assert source["consent_required"] is False
    patched = gateway.admin(
        "PATCH",
        f"/v1/admin/sources/{source['id']}",
        json={"allowed_origins": [SHOP, "http://localhost:3000"], "consent_required": True},
    ).json()
    assert patched["allowed_origins"] == [SHOP, "http://localhost:3000"]
    assert patched["cookie_domain"] == "shop.example"  # untouched
    gateway.gateway.request_stop()
    eventually(lambda: not getattr(gateway.gateway.store, "_opened", False), timeout=10)
    again = start_gateway()
    reloaded = again.admin("GET", f"/v1/admin/sources/{source['id']}").json()
    assert reloaded["allowed_origins"] == [SHOP, "http://localhost:3000"]
    assert reloaded["consent_required"] is True
    response = _post(again, source["write_key"], [_page()], origin="http://localhost:3000")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"allowed_origins": ["shop.example"]}, "not an origin"),
        ({"allowed_origins": ["https://shop.example/path"]}, "not an origin"),
        ({"cookie_domain": "localhost"}, "not a cookie domain"),
    ],
)
def test_invalid_browser_settings_are_refused_with_how_to_fix_them(
    gateway: GatewayHandle, body: dict[str, Any], expected: str
) -> None:
    response = gateway.admin("POST", "/v1/admin/sources", json={"name": "Web", **body})
    assert response.status_code == 422
    assert expected in response.text


def test_a_tag_id_is_checked_and_never_the_ad_account_id(gateway: GatewayHandle) -> None:
    source = _source(gateway)
    cases = (("abc", 422, "NOT the Ad Account ID"), ("549764982399", 409, "ad account id"))
    for tag_id, status, expected in cases:
        response = gateway.admin(
            "POST",
            "/v1/admin/integrations",
            json={
                "source_id": source["id"],
                "name": "Pinterest",
                "config": {"ad_account_id": "549764982399", "conversion_token": "pina_x"},
                "settings": {"tag_id": tag_id},
            },
        )
        assert response.status_code == status, response.text
        assert expected in response.text
    integration = gateway.create_integration(source["id"])
    patched = gateway.admin(
        "PATCH",
        f"/v1/admin/integrations/{integration['id']}",
        json={"settings": {"tag_id": TAG_ID}},
    ).json()
    assert patched["settings"]["tag_id"] == TAG_ID
    assert patched["settings"]["custom_events"] is True  # the other settings are kept
