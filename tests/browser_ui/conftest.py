"""Debian's Chromium driven by Playwright against a real gateway serving the management UI.

Never `playwright install`: the browser is the distribution's /usr/bin/chromium, which
scripts/setup installs. Every request that is not to 127.0.0.1 is aborted, so nothing leaves
the machine. Each page's console errors and uncaught exceptions fail the test that saw them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
_NOT_LOOPBACK = re.compile(r"^(?!https?://127\.0\.0\.1[:/])")

if not CHROMIUM.exists():  # scripts/setup installs it; without it there is nothing to drive
    pytest.skip("Debian's chromium is not installed (run scripts/setup)", allow_module_level=True)

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(_NOT_LOOPBACK, lambda route: route.abort())
    context.set_default_timeout(15_000)
    yield context
    context.close()


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
