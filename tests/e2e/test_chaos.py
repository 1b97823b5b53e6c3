"""Chaos: steady load, the server SIGKILLed and restarted several times, the sandbox failing
20% of requests. At the end every acknowledged event is delivered or dead with a reason, and
every delivered event_id reached the sandbox. Stops by itself in well under two minutes.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.processes import PINRELAY, ServeProcess, start_serve, wait_until_up
from tests.e2e.test_spine import HEADERS, UA, configure
from tests.support.servers import free_port

KILLS = 3
SECONDS_BETWEEN_KILLS = 2.0
SETTLE_TIMEOUT_SECONDS = 60.0


class SteadyLoad(threading.Thread):
    """Posts a batch of 20 events every 20 ms to whichever server is current."""

    def __init__(self, write_key: str, server: ServeProcess) -> None:
        super().__init__(daemon=True)
        self.write_key = write_key
        self.server = server
        self.acknowledged: list[str] = []
        self.refused = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=5) as client:
            while not self.stopping.is_set():
                batch: list[dict[str, Any]] = [
                    {
                        "type": "track",
                        "event": "Order Completed",
                        "userId": f"u{len(self.acknowledged) % 50}",
                        "messageId": str(uuid.uuid4()),
                        "context": {"ip": "203.0.113.9", "userAgent": UA},
                        "properties": {"order_id": "o", "revenue": 3, "currency": "USD"},
                    }
                    for _ in range(20)
                ]
                try:
                    response = client.post(
                        f"{self.server.collect_url}/v1/batch",
                        auth=(self.write_key, ""),
                        json={"batch": batch},
                    )
                except httpx.TransportError:  # the server is down: not acknowledged
                    self.refused += 1
                    time.sleep(0.02)
                    continue
                if response.status_code == 200:
                    self.acknowledged += [m["messageId"] for m in batch]
                time.sleep(0.02)


def start_faulty_sandbox(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    log = workdir / f"sandbox-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                PINRELAY,
                "sandbox",
                "--port",
                str(port),
                "--fault-status",
                "503",
                "--fault-share",
                "0.2",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/healthz", process, log)
    return process, url


def all_entries(server: ServeProcess, integration_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    before: int | None = None
    while True:
        params: dict[str, Any] = {"integration_id": integration_id, "limit": 1000}
        if before is not None:
            params["before"] = before
        page = httpx.get(
            f"{server.admin_url}/v1/admin/deliveries", headers=HEADERS, params=params
        ).json()
        found += page["entries"]
        before = page["next_before"]
        if before is None:
            return found


def test_sigkills_under_load_with_a_failing_sandbox_lose_nothing(tmp_path: Path) -> None:
    sandbox, sandbox_url = start_faulty_sandbox(tmp_path)
    server = start_serve(tmp_path, f"{sandbox_url}/v5")
    try:
        write_key, integration_id = configure(server)
        load = SteadyLoad(write_key, server)
        load.start()
        for _ in range(KILLS):
            time.sleep(SECONDS_BETWEEN_KILLS)
            server.kill()
            server = start_serve(tmp_path, f"{sandbox_url}/v5")
            load.server = server
        time.sleep(SECONDS_BETWEEN_KILLS)
        load.stopping.set()
        load.join(timeout=10)
        acknowledged = set(load.acknowledged)
        assert len(acknowledged) > 500  # the load really ran across the restarts

        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        while True:
            entries = {e["event_id"]: e for e in all_entries(server, integration_id)}
            unsettled = [
                i
                for i in acknowledged
                if entries.get(i, {}).get("status") not in ("delivered", "dead")
            ]
            if not unsettled or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert unsettled == []  # nothing acknowledged is lost or stuck
        dead = [e for e in entries.values() if e["status"] == "dead"]
        assert all(e["last_error"] for e in dead)  # dead only with a reason
        delivered = {i for i in acknowledged if entries[i]["status"] == "delivered"}
        sandbox_ids = {
            e["event"]["event_id"] for e in httpx.get(f"{sandbox_url}/_sandbox/events").json()
        }
        assert delivered <= sandbox_ids
    finally:
        if server.process.poll() is None:
            server.terminate()
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=10)
