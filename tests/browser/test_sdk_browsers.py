"""Issue 14: the browser SDKs a site already runs deliver to Pinterest through pinrelay.

Real analytics.js (@segment/analytics-next) and RudderStack's JS SDK, from npm, run in
Debian's Chromium on a page the test serves on its own origin. Their settings come from
pinrelay (the load calls are the ones the Sources page hands out); nothing leaves loopback.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Route

from pinrelay.ui.snippets import analytics_next_load, rudderstack_load
from tests.browser.conftest import VISITOR_AGENT
from tests.support.chromium import loopback_context
from tests.support.sdkpages import SEGMENT_UMD, require_sdks, serving_page
from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle, free_port

pytestmark = pytest.mark.browser

ORDER = {
    "order_id": "o-1001",
    "revenue": 59.9,
    "currency": "EUR",
    "products": [{"product_id": "sku-1", "price": 29.95, "quantity": 2}],
}


@dataclass
class Site:
    gateway: GatewayHandle
    write_key: str
    origin: str


@pytest.fixture
def site(start_gateway: GatewayFactory, sandbox: SandboxHandle) -> Site:
    """pinrelay delivering to the sandbox, a source that allows the page's origin."""
    require_sdks()
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    created = gateway.admin(
        "POST", "/v1/admin/sources", json={"name": "Shop", "allowed_origins": [origin]}
    )
    assert created.status_code == 201, created.text
    source = created.json()
    gateway.create_integration(source["id"])
    return Site(gateway, source["write_key"], origin)


def _wait_for_names(sandbox: SandboxHandle, names: set[str]) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 30
    events: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        events = [item["event"] for item in sandbox.events()]
        if names <= {e["event_name"] for e in events}:
            return events
        time.sleep(0.1)
    raise AssertionError(f"expected {names} in the sandbox, got {events}")


def _segment_cdn(route: Route) -> None:
    """Segment's CDN for the chunks analytics.js lazy-loads, answered from node_modules."""
    name = route.request.url.rsplit("/", 1)[-1]
    path = SEGMENT_UMD / name
    if path.is_file():
        route.fulfill(path=str(path), content_type="text/javascript")
    else:
        route.abort()


def _run_page(context: BrowserContext, site: Site, port: int, html: str) -> list[str]:
    """Open the page on the site's origin; returns the collect paths the SDK posted to."""
    posted: list[str] = []
    with serving_page(html, port=port) as url:
        assert url == site.origin
        page = context.new_page()
        page.on(
            "request",
            lambda r: (
                posted.append(r.url.removeprefix(site.gateway.collect_url))
                if r.method == "POST" and r.url.startswith(site.gateway.collect_url)
                else None
            ),
        )
        page.goto(url)
        page.wait_for_function("window.sent === true")
        page.wait_for_timeout(50)
    return posted


@pytest.fixture
def context_with_cdn(browser: Browser) -> Iterator[BrowserContext]:
    with loopback_context(browser, user_agent=VISITOR_AGENT) as opened:
        opened.route("https://cdn.segment.com/analytics-next/bundles/**", _segment_cdn)
        yield opened


def _analytics_next_page(site: Site, options: str) -> str:
    load = analytics_next_load(site.gateway.collect_url, site.write_key)
    load = load.removesuffix(")") + f", {options})"
    return f"""<!doctype html><html><head><title>Shop</title>
<script src="/sdk/@segment/analytics-next/dist/umd/index.js"></script>
<script>
const {{ AnalyticsBrowser }} = window.AnalyticsNext;
const analytics = {load};
(async () => {{
  // the identify first: pinrelay remembers the hashed email for the user's later events
  await analytics.identify("user-42", {{ email: "Jane.Doe@Example.com" }});
  await Promise.all([
    analytics.page(),
    analytics.track("Product Added", {{ product_id: "sku-1", price: 29.5, quantity: 2 }}),
    analytics.track("Order Completed", {json.dumps(ORDER)}),
  ]);
  window.sent = true;
}})();
</script></head><body>shop</body></html>"""


@pytest.mark.parametrize(
    ("strategy", "options", "paths"),
    [
        ("standard", "{}", {"/v1/i", "/v1/p", "/v1/t"}),
        (
            "batching",
            '{integrations: {"Segment.io": {deliveryStrategy: '
            '{strategy: "batching", config: {size: 4, timeout: 200}}}}}',
            {"/v1/b"},
        ),
    ],
)
def test_analytics_next_delivers_page_cart_and_order_to_pinterest(
    context_with_cdn: BrowserContext,
    site: Site,
    sandbox: SandboxHandle,
    strategy: str,
    options: str,
    paths: set[str],
) -> None:
    port = int(site.origin.rsplit(":", 1)[1])
    html = _analytics_next_page(site, options)
    posted = _run_page(context_with_cdn, site, port, html)
    events = _wait_for_names(sandbox, {"page_visit", "add_to_cart", "checkout"})

    assert paths <= set(posted), posted
    checkout = next(e for e in events if e["event_name"] == "checkout")
    assert checkout["custom_data"]["value"] == "59.9"
    assert checkout["custom_data"]["currency"] == "EUR"
    assert checkout["custom_data"]["order_id"] == "o-1001"
    assert checkout["user_data"]["client_user_agent"] == VISITOR_AGENT
    assert len(checkout["user_data"]["em"]) == 1  # the email of the identify, hashed
    assert checkout["event_source_url"].startswith(site.origin)


def test_rudderstack_js_sdk_fetches_its_source_config_and_delivers(
    context_with_cdn: BrowserContext, site: Site, sandbox: SandboxHandle
) -> None:
    port = int(site.origin.rsplit(":", 1)[1])
    load = rudderstack_load(site.gateway.collect_url, site.write_key)
    html = f"""<!doctype html><html><head><title>Shop</title>
<script src="/sdk/@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js"></script>
<script>
const rudderanalytics = new window.rudderanalytics.RudderAnalytics();
rudderanalytics.{load};
rudderanalytics.ready(() => {{
  rudderanalytics.identify("user-7", {{ email: "sam@example.com" }}, () => {{
    rudderanalytics.page();
    rudderanalytics.track("Order Completed", {json.dumps(ORDER)}, () => {{ window.sent = true; }});
  }});
}});
</script></head><body>shop</body></html>"""
    posted = _run_page(context_with_cdn, site, port, html)
    events = _wait_for_names(sandbox, {"page_visit", "checkout"})

    assert "/v1/track" in posted, posted
    checkout = next(e for e in events if e["event_name"] == "checkout")
    assert checkout["custom_data"]["order_id"] == "o-1001"
    assert checkout["custom_data"]["value"] == "59.9"
    assert checkout["user_data"]["client_user_agent"] == VISITOR_AGENT
