"""Running the real `pinrelay` CLI as subprocesses, the way a user or a service manager does."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.servers import ADMIN_TOKEN, free_port

PINRELAY = str(Path(sys.executable).with_name("pinrelay"))


def wait_until_up(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 20.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} did not come up in {timeout}s")


@dataclass
class ServeProcess:
    process: subprocess.Popen[bytes]
    collect_url: str
    admin_url: str
    log: Path

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def output(self) -> str:
        """What the process logged (stdout and stderr), read from its log file."""
        return self.log.read_text()


def start_serve(
    workdir: Path, pinterest_api_url: str, extra_env: dict[str, str] | None = None
) -> ServeProcess:
    port, admin_port = free_port(), free_port()
    env = {
        **os.environ,
        "PINRELAY_ADMIN_TOKEN": ADMIN_TOKEN,
        "PINRELAY_PINTEREST_API_URL": pinterest_api_url,
        "PINRELAY_SECRET_KEY_FILE": str(workdir / "pinrelay.key"),
        "PINRELAY_DELIVERY_POLL_SECONDS": "0.05",
        "PINRELAY_DELIVERY_BACKOFF_BASE_SECONDS": "0.1",
        "PINRELAY_DELIVERY_BACKOFF_MAX_SECONDS": "0.5",
        **(extra_env or {}),
    }
    log = workdir / f"serve-{port}.log"
    with log.open("wb") as output:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(
            [
                PINRELAY,
                "serve",
                "--port",
                str(port),
                "--admin-port",
                str(admin_port),
                "--host",
                "127.0.0.1",
                "--db",
                f"sqlite:///{workdir / 'pinrelay.db'}",
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )
    admin_url = f"http://127.0.0.1:{admin_port}"
    wait_until_up(f"{admin_url}/healthz", process, log)
    wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log)
    return ServeProcess(process, f"http://127.0.0.1:{port}", admin_url, log)


def start_sandbox(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = workdir / f"sandbox-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [PINRELAY, "sandbox", "--port", str(port)], stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/healthz", process, log)
    return process, url
