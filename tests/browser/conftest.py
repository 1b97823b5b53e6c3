"""A real Chromium (Debian's) driven by Playwright, and the demo shop served on loopback.

Never `playwright install`: the browser is the distribution's /usr/bin/chromium, which
scripts/setup installs. Every request that is not to 127.0.0.1 is aborted, so nothing leaves
the machine (the Pinterest Tag is stubbed by the tests that need it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext

from pinrelay.app import http_server
from pinrelay.demoshop.app import create_shop_app
from tests.support.chromium import launched_chromium, loopback_context
from tests.support.servers import (
    GatewayFactory,
    GatewayHandle,
    SandboxHandle,
    ThreadedLoop,
    free_port,
)

TAG_ID = "2612345678901"
VISITOR_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


@dataclass
class Shop:
    url: str
    gateway: GatewayHandle
    source: dict[str, Any]
    integration: dict[str, Any]

    def events(self) -> list[dict[str, Any]]:
        response = self.gateway.admin(
            "GET", "/v1/admin/events", params={"source_id": self.source["id"]}
        )
        events: list[dict[str, Any]] = response.json()
        return events


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # Headless Chromium says "HeadlessChrome", which pinrelay filters as a bot: browse as a person
    with loopback_context(browser, user_agent=VISITOR_AGENT) as opened:
        yield opened


@pytest.fixture
def shop(start_gateway: GatewayFactory, sandbox: SandboxHandle) -> Iterator[Shop]:
    """pinrelay delivering to the sandbox, and the demo shop on another origin wired to it."""
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    created = gateway.admin(
        "POST",
        "/v1/admin/sources",
        json={
            "name": "Shop",
            "allowed_origins": [origin],
            "consent_required": True,
            "tag_dedup": True,
        },
    )
    assert created.status_code == 201, created.text
    source = created.json()
    integration = gateway.create_integration(
        source["id"], consent_categories=["advertising"], settings={"tag_id": TAG_ID}
    )
    runner = ThreadedLoop()
    app = create_shop_app(collect_url=gateway.collect_url, write_key=source["write_key"])
    server = http_server(app, "127.0.0.1", port)
    task = runner.submit(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the shop did not start"
        time.sleep(0.02)
    yield Shop(origin, gateway, source, integration)
    server.should_exit = True
    task.result(timeout=10)
    runner.close()
