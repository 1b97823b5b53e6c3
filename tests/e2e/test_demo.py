"""`pinrelay demo`: a newcomer's first command brings the whole path up and shows it working."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.processes import PINRELAY
from tests.support.servers import free_port

pytestmark = pytest.mark.e2e


def test_the_demo_delivers_its_sample_events_and_says_how_to_continue(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            PINRELAY,
            "demo",
            "--port",
            str(free_port()),
            "--admin-port",
            str(free_port()),
            "--sandbox-port",
            str(free_port()),
            "--workdir",
            str(tmp_path / "demo"),
            "--exit-after-samples",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "160"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "Events the Pinterest sandbox accepted" in out
    for event_name in ("page_visit", "add_to_cart", "checkout"):
        assert event_name in out
    assert "dj0yJnU9demo" in out  # the epik click id of the landing page
    assert "Write key" in out
    assert "wk_" in out
    assert "curl -u" in out
    assert (tmp_path / "demo" / "pinrelay.db").exists()
