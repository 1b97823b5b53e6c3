"""Offline import: rows/s into the outbox and the server's peak RSS, for a generated file.

    .venv/bin/python -m benchmarks.offline_import --rows 1000000
    .venv/bin/python -m benchmarks.offline_import --rows 2000        # smoke mode (tested)

`pinrelay serve` runs as a subprocess; the file (a generic sheet: email, phone, order_id,
value, currency, time) is uploaded through the admin API and imported by the server, the
way `pinrelay import` does it. Rows/s counts from the start call to the import's end (every
row mapped, hashed, validated and committed). Peak RSS is the server's VmHWM from /proc.
While the import runs, a live sender posts one small batch at a time to /v1/batch and the
report gives its acknowledgement latency (the import must not starve live traffic). With
--deliver the worker sends to `pinrelay sandbox` meanwhile; without it, Pinterest's URL is
unreachable and the outbox only fills.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.support.servers import free_port

VENV_BIN = Path(sys.executable).parent
ADMIN_TOKEN = "benchmark-admin-token"
HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
LIVE_INTERVAL_SECONDS = 0.05
LIVE_TIMEOUT_SECONDS = 10.0
BASELINE_SECONDS = 3.0  # live traffic alone, before the import starts


def write_sheet(path: Path, rows: int) -> None:
    when = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    with path.open("w", encoding="utf-8") as file:
        file.write("email,phone,order_id,value,currency,time\n")
        for i in range(rows):
            file.write(
                f"buyer{i}@example.com,+1415555{i % 10000:04d},B-{i},{i % 500}.99,USD,{when}\n"
            )


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _mapping_workers(pid: int) -> list[int]:
    """The import's worker processes among those `pid` started from any of its threads
    (not multiprocessing's resource tracker, the other child a spawning pool starts)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = [int(child) for child in (task / "children").read_text().split()]
            found += [c for c in children if b"spawn_main" in _cmdline(c)]
        except OSError:  # the thread or the child ended meanwhile
            continue
    return found


def _cmdline(pid: int) -> bytes:
    return Path(f"/proc/{pid}/cmdline").read_bytes()


class WorkerMemory:
    """The largest peak RSS seen of any import worker (they exit when the import ends)."""

    def __init__(self, server: int) -> None:
        self.server = server
        self.peak_mb: dict[int, float] = {}

    def sample(self) -> None:
        for child in _mapping_workers(self.server):
            try:
                self.peak_mb[child] = _peak_rss_mb(child)
            except OSError:
                continue

    @property
    def largest_mb(self) -> float:
        return max(self.peak_mb.values(), default=0.0)


def _p99(values: list[float]) -> float:
    return values[max(0, int(len(values) * 0.99) - 1)]


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(1024 * 1024):
            yield chunk


class LiveSender(threading.Thread):
    """Live traffic beside the import: one 10-event batch at a time, latency recorded."""

    def __init__(self, url: str, write_key: str) -> None:
        super().__init__(daemon=True)
        self.url, self.write_key = url, write_key
        self.latencies: list[float] = []
        self.failures = 0  # errors and timeouts (LIVE_TIMEOUT_SECONDS)
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=LIVE_TIMEOUT_SECONDS) as client:
            while not self.stop.is_set():
                batch = [
                    {
                        "type": "track",
                        "event": "Order Completed",
                        "userId": "live",
                        "messageId": str(uuid.uuid4()),
                        "context": {"ip": "203.0.113.7", "userAgent": "Mozilla/5.0 (live)"},
                        "properties": {"revenue": 1, "currency": "USD"},
                    }
                    for _ in range(10)
                ]
                started = time.perf_counter()
                try:
                    response = client.post(
                        self.url, json={"batch": batch}, auth=(self.write_key, "")
                    )
                except httpx.HTTPError:
                    self.failures += 1
                    continue
                if response.status_code == 200:
                    self.latencies.append(time.perf_counter() - started)
                else:
                    self.failures += 1
                time.sleep(LIVE_INTERVAL_SECONDS)


def run(rows: int, workdir: Path, *, deliver: bool, workers: int | None) -> dict[str, Any]:
    sheet = workdir / "sheet.csv"
    write_sheet(sheet, rows)
    sandbox_port, port, admin_port = free_port(), free_port(), free_port()
    sandbox = None
    api_url = "http://127.0.0.1:9/v5"  # nothing listens: the outbox only fills
    if deliver:
        sandbox = subprocess.Popen(
            [str(VENV_BIN / "pinrelay"), "sandbox", "--port", str(sandbox_port)],
            stderr=subprocess.DEVNULL,
        )
        api_url = f"http://127.0.0.1:{sandbox_port}/v5"
    env = {
        **os.environ,
        "PINRELAY_ADMIN_TOKEN": ADMIN_TOKEN,
        "PINRELAY_LOG_LEVEL": "warning",
        "PINRELAY_PINTEREST_API_URL": api_url,
        "PINRELAY_SECRET_KEY_FILE": str(workdir / "key"),
    }
    if workers is not None:
        env["PINRELAY_IMPORT_WORKERS"] = str(workers)
    command = [str(VENV_BIN / "pinrelay"), "serve", "--port", str(port)]
    command += ["--admin-port", str(admin_port), "--host", "127.0.0.1"]
    command += ["--db", f"sqlite:///{workdir / 'bench.db'}"]
    server = subprocess.Popen(command, env=env)
    try:
        admin = f"http://127.0.0.1:{admin_port}"
        _wait(f"{admin}/healthz")
        source = httpx.post(f"{admin}/v1/admin/sources", headers=HEADERS, json={"name": "b"}).json()
        integration = {
            "source_id": source["id"],
            "vendor": "pinterest_ads",
            "name": "bench",
            "config": {"ad_account_id": "549764982399", "conversion_token": "pina_sandbox_token"},
        }
        httpx.post(f"{admin}/v1/admin/integrations", headers=HEADERS, json=integration)
        record = httpx.post(
            f"{admin}/v1/admin/imports/files",
            headers=HEADERS,
            params={"name": sheet.name},
            content=_chunks(sheet),
            timeout=600,
        ).json()
        quiet = LiveSender(f"http://127.0.0.1:{port}/v1/batch", source["write_key"])
        quiet.start()  # live latency with no import, for comparison
        time.sleep(BASELINE_SECONDS)
        quiet.stop.set()
        quiet.join()
        live = LiveSender(f"http://127.0.0.1:{port}/v1/batch", source["write_key"])
        live.start()
        started = time.perf_counter()
        httpx.post(
            f"{admin}/v1/admin/imports/{record['id']}/start",
            headers=HEADERS,
            json={"source_id": source["id"], "mapping": "generic"},
        ).raise_for_status()
        memory = WorkerMemory(server.pid)
        while record["status"] not in ("done", "failed"):
            time.sleep(0.2)
            memory.sample()
            record = httpx.get(
                f"{admin}/v1/admin/imports/{record['id']}", headers=HEADERS, timeout=120
            ).json()
        elapsed = time.perf_counter() - started
        live.stop.set()
        live.join()
        latencies = sorted(live.latencies) or [float("nan")]
        before = sorted(quiet.latencies) or [float("nan")]
        return {
            "rows": rows,
            "status": record["status"],
            "queued": record["figures"].get("queued", 0),
            "seconds": elapsed,
            "rows_per_second": rows / elapsed,
            "peak_rss_mb": _peak_rss_mb(server.pid),
            "workers": len(memory.peak_mb),
            "worker_peak_rss_mb": memory.largest_mb,
            "live_batches": len(live.latencies),
            "live_failures": live.failures,
            "live_p50_ms": statistics.median(latencies) * 1000,
            "live_p99_ms": _p99(latencies) * 1000,
            "live_max_ms": latencies[-1] * 1000,
            "quiet_p50_ms": statistics.median(before) * 1000,
            "quiet_p99_ms": _p99(before) * 1000,
        }
    finally:
        for process in (server, sandbox):
            if process is not None:
                process.terminate()
                process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--deliver", action="store_true", help="deliver to the sandbox meanwhile")
    parser.add_argument(
        "--workers", type=int, help="PINRELAY_IMPORT_WORKERS (unset: the server's default)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        result = run(args.rows, Path(tmp), deliver=args.deliver, workers=args.workers)
    outcome = f"({result['status']}, {result['queued']:,} queued)"
    print(f"rows imported:      {result['rows']:>12,} {outcome}")
    print(f"time:               {result['seconds']:>12.1f} s")
    print(f"rows/s:             {result['rows_per_second']:>12,.0f}")
    print(f"server peak RSS:    {result['peak_rss_mb']:>12.0f} MB")
    print(
        f"mapping workers:    {result['workers']:>12} (largest peak RSS "
        f"{result['worker_peak_rss_mb']:.0f} MB each)"
    )
    print(
        f"live /v1/batch:     p50 {result['quiet_p50_ms']:.1f} ms, p99 "
        f"{result['quiet_p99_ms']:.1f} ms without an import; during it "
        f"({result['live_batches']:,} batches of 10): p50 {result['live_p50_ms']:.1f} ms, "
        f"p99 {result['live_p99_ms']:.1f} ms, max {result['live_max_ms']:.0f} ms, "
        f"{result['live_failures']} failed or over {LIVE_TIMEOUT_SECONDS:.0f} s"
    )


if __name__ == "__main__":
    main()
