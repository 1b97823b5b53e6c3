"""pinrelay behind a real HTTPS reverse proxy (Debian's nginx terminating TLS with a
certificate the test makes), the recommended setup (issue 13, item 5): the UI login works
(its Origin check sees https through the trusted proxy's X-Forwarded-Proto/Host), and the
admin session cookie and the collect cookies are Secure."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.nginx import TlsProxy, tls_proxy, trusting
from tests.support.servers import ADMIN_TOKEN, GatewayFactory, GatewayHandle

pytestmark = pytest.mark.e2e

SHOP = "https://shop.example"


@pytest.fixture
def gateway(start_gateway: GatewayFactory) -> GatewayHandle:
    return start_gateway(trusted_proxies=["127.0.0.1"])  # nginx connects from loopback


@pytest.fixture
def proxy(gateway: GatewayHandle, tmp_path: Path) -> Iterator[TlsProxy]:
    upstreams = {"admin": gateway.admin_url, "collect": gateway.collect_url}
    with tls_proxy(tmp_path / "nginx", upstreams) as running:
        yield running


def test_ui_login_through_an_https_proxy_gets_a_secure_session(
    gateway: GatewayHandle, proxy: TlsProxy
) -> None:
    admin = proxy.urls["admin"]
    with httpx.Client(base_url=admin, verify=trusting(proxy.certificate)) as browser:
        assert browser.get("/login").status_code == 200
        signed_in = browser.post(
            "/login", data={"token": ADMIN_TOKEN, "next": "/"}, headers={"Origin": admin}
        )
        assert signed_in.status_code == 303, signed_in.text
        cookie = signed_in.headers["set-cookie"]
        assert cookie.startswith("pinrelay_session=")
        assert "Secure" in cookie
        assert browser.get("/sources").status_code == 200  # the session works over HTTPS
        foreign = browser.post(
            "/login", data={"token": ADMIN_TOKEN}, headers={"Origin": "https://evil.example"}
        )
        assert foreign.status_code == 403
        api = browser.get("/v1/admin/sources", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert api.status_code == 200


def test_collect_through_an_https_proxy_sets_secure_cookies_and_sees_the_visitor(
    gateway: GatewayHandle, proxy: TlsProxy
) -> None:
    source = gateway.create_source()
    patched = gateway.admin(
        "PATCH", f"/v1/admin/sources/{source['id']}", json={"allowed_origins": [SHOP]}
    )
    assert patched.status_code == 200
    page = {"type": "page", "messageId": str(uuid.uuid4()), "properties": {"path": "/"}}
    response = httpx.post(
        f"{proxy.urls['collect']}/v1/page",
        auth=(source["write_key"], ""),
        json=page,
        headers={
            "Origin": SHOP,
            "X-Forwarded-For": "198.51.100.23",  # the visitor, as a CDN in front would say
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        },
        verify=trusting(proxy.certificate),
    )
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == SHOP
    cookies = response.headers.get_list("set-cookie")
    assert cookies
    assert all("Secure" in cookie for cookie in cookies)
    [event] = gateway.admin("GET", "/v1/admin/events").json()
    assert event["body"]["context"]["ip"] == "198.51.100.23"
