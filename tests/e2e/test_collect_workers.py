"""A backend's big batches do not hold up the browser requests behind them: with collect
workers (PINRELAY_BATCH_WORKERS, collect/mappingpool.py) the batches are mapped on other
cores, and the collect loop only decodes, checks and commits them.

No absolute timings are asserted (machines here are noisy): the slowest single-event answer
during the flood is compared with the time one batch alone takes to map on the collect loop,
measured in the same run (the first big batch is mapped there while the workers start; the
flood waits until /metrics says they are up).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pinrelay.collect.mappingpool import usable_cpus
from tests.e2e.processes import ServeProcess, start_serve
from tests.e2e.test_fairness import (
    EVENTS_PER_FLOOD,
    FLOODS,
    _batch_body,
    _checkout,
    _post,
    _quantile,
    flood,
)
from tests.e2e.test_spine import HEADERS, configure
from tests.support.polling import wait_for

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(usable_cpus() < 2, reason="the workers need a core of their own"),
]

WORKERS = 2


@pytest.fixture
def serve(tmp_path: Path, sandbox_url: str) -> Iterator[ServeProcess]:
    server = start_serve(
        tmp_path, f"{sandbox_url}/v5", extra_env={"PINRELAY_BATCH_WORKERS": str(WORKERS)}
    )
    yield server
    if server.process.poll() is None:
        server.terminate()


def mapping_workers(pid: int) -> list[int]:
    """The server's spawned mapping workers (not multiprocessing's resource tracker)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
            found += [int(c) for c in children if b"spawn_main" in _cmdline(int(c))]
        except OSError:  # a thread or a child that ended meanwhile
            continue
    return found


def metrics(server: ServeProcess) -> str:
    answer = httpx.get(f"{server.admin_url}/metrics", headers=HEADERS)
    assert answer.status_code == 200, answer.text
    return answer.text


def metric(text: str, name: str) -> float:
    """The value of an unlabelled sample in Prometheus text (its HELP and TYPE lines aside)."""
    (line,) = [line for line in text.splitlines() if line.startswith(f"{name} ")]
    return float(line.split()[1])


def _cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


def test_single_events_are_not_held_up_by_big_batches(serve: ServeProcess) -> None:
    write_key, _ = configure(serve)
    started = time.monotonic()
    one_batch_seconds = _post(serve, write_key, _batch_body()) - started  # on the loop
    wait_for(
        lambda: metric(metrics(serve), "pinrelay_batch_workers_up") == WORKERS,
        timeout=60,
        what=f"{WORKERS} mapping workers to be up",
    )
    assert len(mapping_workers(serve.process.pid)) == WORKERS
    bodies = [_batch_body() for _ in range(FLOODS)]
    latencies: list[float] = []
    flooding = threading.Event()
    flooding.set()

    def browser() -> None:
        with httpx.Client(base_url=serve.collect_url, auth=(write_key, ""), timeout=300) as c:
            while flooding.is_set():
                sent = time.monotonic()
                answer = c.post("/v1/track", json=_checkout(uuid.uuid4().hex))
                assert answer.status_code == 200, answer.text
                if flooding.is_set():
                    latencies.append(time.monotonic() - sent)

    began, first_done = flood(serve, write_key, bodies, browser, flooding)
    slowest = max(latencies, default=0.0)
    print(  # the figures, for the log (pytest -s)
        f"one batch alone {one_batch_seconds:.2f} s; flood {first_done - began:.2f} s, "
        f"{len(latencies)} single events during it, "
        f"p50 {_quantile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {_quantile(latencies, 0.99) * 1000:.0f} ms, slowest {slowest * 1000:.0f} ms"
    )

    # Mapped on the collect loop, a single event waited behind whole batches: 1.8 s, more
    # than twice one batch's time (0.76 s), when measured. With the workers it waits only
    # for the loop's share of them (decoding, checking, committing: 75-225 ms measured).
    mapped = metric(metrics(serve), "pinrelay_batch_events_mapped_total")
    assert mapped >= FLOODS * EVENTS_PER_FLOOD  # the flood went to the workers
    assert len(latencies) >= 10, (latencies, one_batch_seconds)
    assert slowest < one_batch_seconds, (slowest, one_batch_seconds)
