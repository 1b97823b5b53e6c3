"""`pinrelay demo`: a newcomer's first command brings the whole path up and shows it working."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import httpx
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


def test_the_curl_line_the_demo_prints_is_delivered(tmp_path: Path) -> None:
    ports = {name: free_port() for name in ("port", "admin-port", "sandbox-port", "shop-port")}
    log = tmp_path / "demo.log"
    args = [PINRELAY, "demo", "--workdir", str(tmp_path / "demo")]
    for name, port in ports.items():
        args += [f"--{name}", str(port)]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "100"}
    with log.open("wb") as output:
        demo = subprocess.Popen(args, stdout=output, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while "Press Ctrl-C" not in log.read_text() and time.monotonic() < deadline:
            assert demo.poll() is None, log.read_text()
            time.sleep(0.1)
        text = log.read_text()
        # The printed command, as a newcomer would copy it (the backslash-newline joined).
        command = text[text.index("curl -u") : text.index("curl http")].replace("\\\n", " ")
        write_key = re.search(r"-u '(wk_[^:]+):'", command)
        body = re.search(r"-d '(.*)'", command, re.S)
        assert write_key is not None, command
        assert body is not None, command
        response = httpx.post(
            f"http://127.0.0.1:{ports['port']}/v1/track",
            auth=(write_key.group(1), ""),
            content=body.group(1),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 200
        sandbox = f"http://127.0.0.1:{ports['sandbox-port']}/_sandbox/events"
        names: list[str] = []
        while "signup" not in names and time.monotonic() < deadline:
            names = [e["event"]["event_name"] for e in httpx.get(sandbox).json()]
            time.sleep(0.1)
        assert "signup" in names
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=30)
