"""Debian's Chromium driven by Playwright against a real gateway serving the management UI.

Never `playwright install`: the browser is the distribution's /usr/bin/chromium, which
scripts/setup installs. Every request that is not to 127.0.0.1 is aborted, so nothing leaves
the machine. Each page's console errors and uncaught exceptions fail the test that saw them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.support.chromium import launched_chromium, loopback_context
from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    with loopback_context(browser, viewport={"width": 1280, "height": 900}) as opened:
        yield opened


@pytest.fixture
def console_errors() -> list[str]:
    return []


@pytest.fixture
def page(context: BrowserContext, console_errors: list[str]) -> Iterator[Page]:
    """A tab whose console errors and uncaught exceptions are collected, and must be none."""
    tab = context.new_page()
    tab.on(
        "console",
        lambda message: (
            console_errors.append(f"{tab.url}: {message.text}") if message.type == "error" else None
        ),
    )
    tab.on("pageerror", lambda error: console_errors.append(f"{tab.url}: {error}"))
    yield tab
    assert console_errors == [], "pages logged errors in the browser console"


@pytest.fixture
def gateway(start_gateway: GatewayFactory, sandbox: SandboxHandle) -> GatewayHandle:
    """pinrelay delivering to the strict sandbox, its UI on the admin port."""
    return start_gateway(pinterest_api_url=f"{sandbox.url}/v5")


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as artifacts/screenshots/ui-<name>.png (gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"ui-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
