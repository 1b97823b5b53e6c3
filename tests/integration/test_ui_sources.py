"""Issue 14: a source's page hands out every snippet with the right host, and every setting
of a source is editable there with the admin API's own validation."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest

from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle
from tests.support.ui import UIClient

PUBLIC_URL = "https://t.shop.example"


@pytest.fixture
def gateway(start_gateway: GatewayFactory, sandbox: SandboxHandle) -> GatewayHandle:
    return start_gateway(pinterest_api_url=f"{sandbox.url}/v5")


@pytest.fixture
def signed_in(gateway: GatewayHandle) -> Iterator[UIClient]:
    client = UIClient(gateway.admin_url)
    assert client.login().status_code == 303
    yield client
    client.close()


def test_the_page_shows_pinrelay_js_and_analytics_js_snippets_with_the_collect_host(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    created = signed_in.post_form("/sources", {"name": "Shop"})
    page = html.unescape(signed_in.get(created.headers["location"]).text)
    (source,) = gateway.admin("GET", "/v1/admin/sources").json()
    # the UI is reached at 127.0.0.1, so the collect server is there too, on its own port
    collect = gateway.collect_url

    assert f'"{collect}/pinrelay.js?v=' in page  # pinrelay.js, versioned
    assert f'"cdnURL": "{collect}"' in page  # analytics.js takes its settings from pinrelay
    assert f'"configUrl": "{collect}"' in page  # RudderStack's JS SDK too
    key = source["write_key_hint"].rstrip("…")
    assert f'"writeKey": "{key}' in page  # the key, shown once, is in the snippets
    assert f'"{collect}","{key}' in page
    assert "0.0.0.0" not in page  # noqa: S104  # the bind address is no host to send to


def test_the_public_collect_url_setting_is_the_snippets_host(
    start_gateway: GatewayFactory,
) -> None:
    gateway = start_gateway(public_collect_url=PUBLIC_URL + "/")
    source = gateway.create_source()
    client = UIClient(gateway.admin_url)
    try:
        client.login()
        page = html.unescape(client.get(f"/sources/{source['id']}").text)
    finally:
        client.close()
    assert f'"{PUBLIC_URL}/pinrelay.js?v=' in page
    assert f'"cdnURL": "{PUBLIC_URL}"' in page
    assert f'host="{PUBLIC_URL}"' in page


def test_every_source_setting_is_saved_from_the_page(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    source = gateway.create_source()
    page = f"/sources/{source['id']}"
    saved = signed_in.post_form(
        f"{page}/settings",
        {
            "name": "Shop EU",
            "default_country": "gb",
            "allowed_origins": "https://shop.example\nhttps://WWW.shop.example:8443/\n",
            "cookie_domain": ".shop.example",
            "consent_required": "on",
            "tag_dedup": "on",
        },
        from_page=page,
    )
    assert saved.status_code == 303
    stored = gateway.admin("GET", f"/v1/admin/sources/{source['id']}").json()
    assert stored["name"] == "Shop EU"
    assert stored["default_country"] == "GB"
    assert stored["allowed_origins"] == ["https://shop.example", "https://www.shop.example:8443"]
    assert stored["cookie_domain"] == "shop.example"
    assert stored["consent_required"] is True
    assert stored["tag_dedup"] is True

    cleared = signed_in.post_form(
        f"{page}/settings",
        {"name": "Shop EU", "default_country": "GB", "allowed_origins": "", "cookie_domain": ""},
        from_page=page,
    )
    assert cleared.status_code == 303
    stored = gateway.admin("GET", f"/v1/admin/sources/{source['id']}").json()
    assert stored["allowed_origins"] == []
    assert stored["cookie_domain"] is None
    assert stored["consent_required"] is False
    assert stored["tag_dedup"] is False


def test_a_bad_origin_is_refused_with_the_api_message_and_nothing_changes(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    source = gateway.create_source()
    page = f"/sources/{source['id']}"
    refused = signed_in.post_form(
        f"{page}/settings",
        {
            "name": "Website",
            "default_country": "US",
            "allowed_origins": "https://shop.example/checkout",
            "cookie_domain": "localhost",
        },
        from_page=page,
    )
    text = html.unescape(refused.text)
    assert refused.status_code == 200
    assert 'id="allowed_origins-error"' in text
    assert "keep only scheme, host and port" in text
    assert 'id="cookie_domain-error"' in text
    assert "https://shop.example/checkout" in text  # what was typed is kept for fixing
    stored = gateway.admin("GET", f"/v1/admin/sources/{source['id']}").json()
    assert stored["allowed_origins"] == []
    assert stored["cookie_domain"] is None
