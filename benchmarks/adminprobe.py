"""How the admin API answers while collect is saturated (issue 12 item 3, issue 13 item 7).

A thread sends `GET /v1/admin/sources` one at a time, a few dozen per second (a person
clicking through the UI, a Prometheus scrape, not a second load generator), for as long as
a wrk run loads the collect port, and keeps each answer's latency.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

PAUSE_SECONDS = 0.02  # between two probes


@dataclass(frozen=True)
class AdminLatency:
    requests: int
    failed: int
    p50_ms: float
    p99_ms: float
    max_ms: float


@contextmanager
def admin_probe(admin_url: str, token: str) -> Iterator[list[AdminLatency]]:
    """Probe while the block runs; the figures are in the yielded list afterwards."""
    latencies: list[float] = []
    failed = 0
    stop = threading.Event()

    def probe() -> None:
        nonlocal failed
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=admin_url, headers=headers, timeout=30) as client:
            while not stop.is_set():
                sent = time.perf_counter()
                try:
                    ok = client.get("/v1/admin/sources").status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - sent)
                failed += 0 if ok else 1
                stop.wait(PAUSE_SECONDS)

    result: list[AdminLatency] = []
    thread = threading.Thread(target=probe, name="admin-probe", daemon=True)
    thread.start()
    try:
        yield result
    finally:
        stop.set()
        thread.join(timeout=60)
        ordered = sorted(latencies) or [0.0]
        result.append(
            AdminLatency(
                requests=len(latencies),
                failed=failed,
                p50_ms=statistics.median(ordered) * 1000,
                p99_ms=ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000,
                max_ms=ordered[-1] * 1000,
            )
        )
