"""`pinrelay demo` goes on serving a shop wired to pinrelay.js, and prints where it is."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.processes import PINRELAY, wait_until_up
from tests.support.servers import free_port

pytestmark = pytest.mark.e2e


def test_the_demo_serves_its_shop_and_prints_its_url(tmp_path: Path) -> None:
    port, shop_port = free_port(), free_port()
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                PINRELAY,
                "demo",
                "--port",
                str(port),
                "--admin-port",
                str(free_port()),
                "--sandbox-port",
                str(free_port()),
                "--shop-port",
                str(shop_port),
                "--workdir",
                str(tmp_path / "demo"),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200"},
        )
    try:
        shop = f"http://127.0.0.1:{shop_port}"
        wait_until_up(f"{shop}/", process, log, timeout=60)
        page = httpx.get(f"{shop}/checkout").text
        assert f"http://127.0.0.1:{port}/pinrelay.js?v=" in page
        script = httpx.get(f"http://127.0.0.1:{port}/pinrelay.js")
        assert script.status_code == 200
        preflight = httpx.options(
            f"http://127.0.0.1:{port}/v1/batch",
            headers={"origin": shop, "access-control-request-method": "POST"},
        )
        assert preflight.status_code == 204, "the demo source allows the shop's origin"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    assert f"{shop}/?epik=demo-click" in log.read_text()
