"""Fixtures of the end-to-end tests: the real `pinrelay sandbox` as a subprocess."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.processes import start_sandbox


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    """The base URL of a running `pinrelay sandbox`, stopped after the test."""
    process, url = start_sandbox(tmp_path)
    yield url
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=10)
