"""Issue 14, "recovered conversions": an ad blocker stops the Pinterest Tag in a real
Chromium, pinrelay still delivers the order, and pinrelay counts it as one the Tag could not
have sent (dashboard and GET /v1/admin/stats/recovered). With the Tag loaded, nothing is."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Route

from tests.browser.conftest import Shop
from tests.support.servers import SandboxHandle
from tests.support.ui import UIClient

pytestmark = pytest.mark.browser

PINTEREST_TAG = "https://s.pinimg.com/ct/core.js"


def _checkout(context: BrowserContext, shop: Shop) -> None:
    page = context.new_page()
    page.goto(f"{shop.url}/?epik=abc")
    page.click("#accept")
    page.click("text=Linen shirt")
    page.wait_for_function("window.pinrelay && window.pinrelay.loaded")
    page.click("#add")
    page.click("#to-checkout")
    page.wait_for_function("window.pinrelay && window.pinrelay.loaded")
    page.wait_for_load_state("load")
    page.fill("#email", "jane@example.com")
    page.click("button[type=submit]")


def _order(shop: Shop, sandbox: SandboxHandle) -> dict[str, Any]:
    """The stored Order Completed, once its checkout reached the sandbox."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if any(e["event"]["event_name"] == "checkout" for e in sandbox.events()):
            break
        time.sleep(0.1)
    return next(e for e in shop.events() if e["name"] == "Order Completed")


def _recovered(shop: Shop) -> int:
    body = shop.gateway.admin("GET", "/v1/admin/stats/recovered").json()
    (mine,) = [i for i in body["integrations"] if i["integration_id"] == shop.integration["id"]]
    total: int = mine["total"]
    return total


def test_an_order_from_a_page_whose_tag_was_blocked_is_counted_as_recovered(
    context: BrowserContext, shop: Shop, sandbox: SandboxHandle
) -> None:
    # the loopback-only context aborts s.pinimg.com, as an ad blocker does
    _checkout(context, shop)
    order = _order(shop, sandbox)
    assert order["body"]["context"]["pinterestTag"] == "blocked"
    deadline = time.monotonic() + 10
    while _recovered(shop) < 1:
        assert time.monotonic() < deadline, "the delivered order was not counted"
        time.sleep(0.1)
    ui = UIClient(shop.gateway.admin_url)
    try:
        ui.login()
        dashboard = ui.get("/?range=7d").text
    finally:
        ui.close()
    assert f'data-recovered="{shop.integration["id"]}">{_recovered(shop)}<' in dashboard


def test_with_the_tag_loaded_nothing_is_counted(
    context: BrowserContext, shop: Shop, sandbox: SandboxHandle
) -> None:
    def tag_script(route: Route) -> None:  # a stand-in for Pinterest's core.js that loads
        route.fulfill(body="window.pintrkLoaded = true;", content_type="text/javascript")

    context.route(PINTEREST_TAG, tag_script)
    _checkout(context, shop)
    order = _order(shop, sandbox)
    assert order["body"]["context"]["pinterestTag"] == "loaded"
    assert _recovered(shop) == 0
