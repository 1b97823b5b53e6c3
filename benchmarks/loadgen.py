"""Driving wrk (Debian's `wrk` package) with benchmarks/wrk/collect.lua, and reading its figures.

wrk is a compiled load generator: in its own process, pinned to its own core, it is not the
bottleneck the way a Python client is (the old benchmark's client topped out at ~330 events/s).
Its Lua script builds a new body per request (new user, new messageId), and holds a constant
rate when asked (`BENCH_RATE`), for the latency-at-half-load figure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from benchmarks.targets import Target, pinned

SCRIPT = Path(__file__).parent / "wrk" / "collect.lua"
EVENTS_PER_BATCH = 20
WRK_TIMEOUT_SECONDS = 10  # a request slower than this counts as an error, not a latency


@dataclass(frozen=True)
class Scenario:
    """One kind of load: what each request carries and how many connections send it."""

    name: str
    events_per_request: int
    connections: int
    label: str


SCENARIOS = (
    Scenario("track", 1, 64, "checkout, 1 event per /v1/track, 64 connections"),
    Scenario(
        "batch", EVENTS_PER_BATCH, 16, f"checkout, {EVENTS_PER_BATCH} per /v1/batch, 16 conn."
    ),
    Scenario("page", 1, 64, "page view with epik, 1 per /v1/page, 64 connections"),
)


@dataclass(frozen=True)
class Figures:
    """What one wrk run measured."""

    events_per_second: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    failed: int  # answers that were not 2xx/3xx, plus socket errors and timeouts
    lagged: int  # constant-rate slots that were already past (the rate was not held)
    server_cpu: float  # share of one core the server used during the run
    cpu_us_per_event: float  # server CPU time per acknowledged event, in microseconds
    main_thread_cpu_us_per_event: float  # of it, the main thread's (pinrelay: the collect loop)


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian's packages when missing and we are root."""
    found = shutil.which("wrk")
    if found is not None:
        return found
    if os.geteuid() != 0:
        raise SystemExit(
            "wrk is not installed: run `sudo apt-get install wrk` (Debian/Ubuntu), "
            "or scripts/setup as root"
        )
    print("==> installing wrk (apt-get install wrk)", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    return shutil.which("wrk") or "wrk"


def run_wrk(
    target: Target,
    scenario: Scenario,
    *,
    seconds: float,
    core: int | None,
    rate_per_second: float = 0.0,
) -> Figures:
    """Load `target` with `scenario` for `seconds`; at `rate_per_second` if given (else as
    fast as it answers). Only 2xx answers count as events."""
    env = {
        **os.environ,
        "BENCH_SCENARIO": scenario.name,
        "BENCH_RATE": f"{rate_per_second:.3f}",
        "BENCH_RUN": uuid.uuid4().hex[:12],
        "BENCH_BATCH": str(scenario.events_per_request),
    }
    command = [
        ensure_wrk(), "-t1", f"-c{scenario.connections}", f"-d{max(1, round(seconds))}s",
        f"--timeout={WRK_TIMEOUT_SECONDS}s", "-s", str(SCRIPT),
    ]  # fmt: skip
    if target.authorization:
        command += ["-H", f"Authorization: {target.authorization}"]
    command.append(target.url)
    cpu_before, started = target.cpu_seconds(), time.monotonic()
    main_before = target.main_thread_cpu_seconds()
    completed = subprocess.run(
        pinned(core, command), env=env, capture_output=True, text=True, check=False
    )
    cpu_used, elapsed = target.cpu_seconds() - cpu_before, time.monotonic() - started
    main_used = target.main_thread_cpu_seconds() - main_before
    lines = [line for line in completed.stdout.splitlines() if line.startswith("BENCH_RESULT ")]
    if completed.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed ({completed.returncode}): {completed.stderr.strip()}")
    raw = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
    duration = raw["duration_us"] / 1e6
    good = raw["requests"] - raw["bad_status"]
    events = good * scenario.events_per_request
    return Figures(
        events_per_second=events / duration,
        requests_per_second=raw["requests"] / duration,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        failed=raw["bad_status"] + raw["socket_errors"],
        lagged=raw["lagged"],
        server_cpu=cpu_used / elapsed,
        cpu_us_per_event=1e6 * cpu_used / max(events, 1),
        main_thread_cpu_us_per_event=1e6 * main_used / max(events, 1),
    )
