"""Debian's Chromium driven by Playwright, the one way every browser test launches it.

Never `playwright install`: the browser is the distribution's /usr/bin/chromium, which
scripts/setup installs (as root). Without it a test skips on a developer's machine and fails
in CI, where a skipped browser test would hide a missing install step.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",  # the closed network refuses Google's hosts
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NOT_LOOPBACK = re.compile(r"^(?!https?://127\.0\.0\.1[:/])")  # aborted: nothing leaves the box
DEFAULT_TIMEOUT_MS = 15_000


@contextmanager
def launched_chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"Debian's chromium is not at {CHROMIUM}: run scripts/setup as root"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def loopback_context(browser: Browser, **options: object) -> Iterator[BrowserContext]:
    """A browser context whose requests off 127.0.0.1 are aborted."""
    context = browser.new_context(**options)  # type: ignore[arg-type]  # Playwright's kwargs
    context.route(NOT_LOOPBACK, lambda route: route.abort())
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()
