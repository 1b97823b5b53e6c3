"""Chaos on PostgreSQL: two collect processes and two delivery workers on one database, the
sandbox failing 20% of requests, steady load through both collect processes, and random
processes SIGKILLed and restarted. At the end every acknowledged event is delivered (its
event_id reached the sandbox) or dead with a reason, and the sandbox never saw more requests
per ad account than the configured rate allows. Bounded to about two minutes; prints figures.
"""

from __future__ import annotations

import random
import signal
import threading
import time
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.e2e.processes import ServeProcess
from tests.e2e.roles import start_role
from tests.e2e.test_chaos import start_faulty_sandbox
from tests.e2e.test_spine import UA, configure
from tests.support.postgres import PostgresServer
from tests.support.servers import free_port

RATE_PER_MINUTE = 1200  # the configured per-ad-account limit (20 requests/s)
WINDOW_SECONDS = 10.0  # the rate is checked over every window this long
CHAOS_SECONDS = 30.0
SECONDS_BETWEEN_KILLS = 2.5
SETTLE_TIMEOUT_SECONDS = 60.0
LEASE_SECONDS = 3.0


class Load(threading.Thread):
    """Posts a batch of 20 events every 20 ms, alternating between the collect processes."""

    def __init__(self, write_key: str, urls: list[str]) -> None:
        super().__init__(daemon=True)
        self.write_key, self.urls = write_key, urls
        self.acknowledged: list[str] = []
        self.refused = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        turn = 0
        with httpx.Client(timeout=5) as client:
            while not self.stopping.is_set():
                batch = [_order(len(self.acknowledged) + n) for n in range(20)]
                turn += 1
                try:
                    response = client.post(
                        f"{self.urls[turn % len(self.urls)]}/v1/batch",
                        auth=(self.write_key, ""),
                        json={"batch": batch},
                    )
                except httpx.TransportError:  # that process is down: not acknowledged
                    self.refused += 1
                else:
                    if response.status_code == 200:
                        self.acknowledged += [m["messageId"] for m in batch]
                    else:
                        self.refused += 1
                time.sleep(0.02)


def _order(n: int) -> dict[str, Any]:
    return {
        "type": "track",
        "event": "Order Completed",
        "userId": f"u{n % 50}",
        "messageId": str(uuid.uuid4()),
        "context": {"ip": "203.0.113.9", "userAgent": UA},
        "properties": {"order_id": f"o{n}", "revenue": 3, "currency": "USD"},
    }


def _states(url: str) -> dict[str, tuple[str, str | None]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT event_id, status, last_error FROM outbox").fetchall()
    return {event_id: (status, error) for event_id, status, error in rows}


def _most_requests_in_a_window(requests: list[dict[str, Any]]) -> int:
    times = sorted(
        datetime.fromisoformat(r["received_at"].replace("Z", "+00:00")).timestamp()
        for r in requests
    )
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > WINDOW_SECONDS:
            start += 1
        most = max(most, end - start + 1)
    return most


@pytest.mark.timeout(300)  # ~70 s here; bounded by CHAOS_SECONDS + SETTLE_TIMEOUT_SECONDS
def test_sigkills_of_collect_and_delivery_processes_lose_nothing(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    url = postgres_server.new_database()
    sandbox, sandbox_url = start_faulty_sandbox(tmp_path)
    api = f"{sandbox_url}/v5"
    worker_env = {
        "PINRELAY_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "PINRELAY_DELIVERY_RATE_LIMIT_PER_MINUTE": str(RATE_PER_MINUTE),
        "PINRELAY_PINTEREST_TIMEOUT_SECONDS": "2",
    }
    admin = start_role(tmp_path, url, api, "admin")
    ports = [free_port(), free_port()]
    processes: dict[str, ServeProcess] = {}

    def start(name: str) -> None:
        if name.startswith("collect"):
            port = ports[int(name[-1])]
            processes[name] = start_role(tmp_path, url, api, "collect", port=port)
        else:
            processes[name] = start_role(tmp_path, url, api, "deliver", extra_env=worker_env)

    names = ["collect0", "collect1", "deliver0", "deliver1"]
    try:
        write_key, _ = configure(admin)
        for name in names:
            start(name)
        time.sleep(1.5)  # every process has the new source in its catalog
        load = Load(write_key, [f"http://127.0.0.1:{p}" for p in ports])
        load.start()
        kills: Counter[str] = Counter()
        chaos = random.Random()  # test chaos, not cryptography
        victims: list[str] = []
        began = time.monotonic()
        while time.monotonic() - began < CHAOS_SECONDS:
            time.sleep(SECONDS_BETWEEN_KILLS)
            if not victims:  # every process in turn, in a random order
                victims = chaos.sample(names, len(names))
            victim = victims.pop()
            processes[victim].kill()
            kills[victim] += 1
            start(victim)
        load.stopping.set()
        load.join(timeout=10)
        acknowledged = set(load.acknowledged)
        assert len(acknowledged) > 1000  # the load really ran through the kills

        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        while True:
            states = _states(url)
            unsettled = [
                i
                for i in acknowledged
                if states.get(i, ("?", None))[0] not in ("delivered", "dead")
            ]
            if not unsettled or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert unsettled == []  # nothing acknowledged is lost or stuck
        dead = {i: states[i][1] for i in acknowledged if states[i][0] == "dead"}
        assert all(dead.values())  # dead only with a reason
        delivered = {i for i in acknowledged if states[i][0] == "delivered"}
        received = Counter(
            e["event"]["event_id"] for e in httpx.get(f"{sandbox_url}/_sandbox/events").json()
        )
        assert delivered <= set(received)  # every delivered event reached Pinterest
        requests = httpx.get(f"{sandbox_url}/_sandbox/requests").json()
        most = _most_requests_in_a_window(requests)
        # The rate over the window, one burst (a second's worth), and a second of arrival
        # jitter (tokens are taken before sending; the sandbox times the arrival). Two
        # workers limited each on its own would reach about twice this.
        allowed = RATE_PER_MINUTE * (WINDOW_SECONDS + 2) / 60
        print(
            f"\nchaos on PostgreSQL: {len(acknowledged)} acknowledged "
            f"({load.refused} batches refused while a process was down), "
            f"{len(delivered)} delivered, {len(dead)} dead, kills {dict(kills)}, "
            f"{sum(1 for c in received.values() if c > 1)} event_ids received more than once "
            f"(a worker killed after sending, before recording), "
            f"{len(requests)} requests, at most {most} in {WINDOW_SECONDS:.0f} s "
            f"(allowed {allowed:.0f})"
        )
        assert most <= allowed
    finally:
        for process in [admin, *processes.values()]:
            if process.process.poll() is None:
                process.terminate()
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=10)
