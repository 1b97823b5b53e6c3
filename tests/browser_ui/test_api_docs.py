"""/docs and /redoc render in a real browser with the network closed: their viewers are
vendored and start from files the page's Content-Security-Policy allows (issue 13, item 10).
Any console error (a CSP refusal, a missing file) fails the test through the `page` fixture."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser_ui.conftest import screenshot
from tests.support.servers import GatewayHandle

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_the_admin_api(page: Page, gateway: GatewayHandle) -> None:
    page.goto(f"{gateway.admin_url}/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "pinrelay admin API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() >= 10  # the operations are listed
    screenshot(page, "api-docs")


def test_redoc_renders_the_admin_api(page: Page, gateway: GatewayHandle) -> None:
    page.goto(f"{gateway.admin_url}/redoc")
    page.wait_for_selector("h1")
    assert "pinrelay admin API" in page.inner_text("h1")
    screenshot(page, "api-redoc")
