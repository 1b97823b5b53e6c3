"""The servers the ingest benchmark loads: `pinrelay serve` and the bare baseline.

Each runs as its own process, started the way a user starts it, and pinned with `taskset` to
the server core; the load generator (and the sandbox standing in for Pinterest, which the
delivery worker sends to) are pinned to the other core, so neither steals the server's CPU.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.servers import free_port

VENV_BIN = Path(sys.executable).parent
ADMIN_TOKEN = "benchmark-admin-token-0123456789"
AD_ACCOUNT = "549764982399"
CONVERSION_TOKEN = "pina_sandbox_token"
START_SECONDS = 30.0


@dataclass(frozen=True)
class Target:
    """A running server under test: where to send, how to authenticate, its process id."""

    name: str
    url: str
    authorization: str
    pid: int
    admin_url: str | None = None  # pinrelay's admin port (the bare app has none)

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (VmHWM), in MB."""
        return _status_kb(self.pid, "VmHWM") / 1024

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used so far (all its threads)."""
        return _stat_cpu_seconds(Path(f"/proc/{self.pid}/stat"))

    def main_thread_cpu_seconds(self) -> float:
        """The same, of its main thread only: pinrelay's collect loop (the SQLite writer,
        the control loop with delivery and admin, and the readers are other threads)."""
        return _stat_cpu_seconds(Path(f"/proc/{self.pid}/task/{self.pid}/stat"))


def processes_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of running processes (e.g. a pool's workers), all threads."""
    return sum(_stat_cpu_seconds(Path(f"/proc/{pid}/stat")) for pid in pids)


def _stat_cpu_seconds(stat: Path) -> float:
    fields = stat.read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def pinned(core: int | None, command: list[str]) -> list[str]:
    """`command` run on one CPU core (no pinning when `core` is None or taskset is absent)."""
    if core is None or shutil.which("taskset") is None:
        return command
    return ["taskset", "-c", str(core), *command]


def _wait_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the server exited with status {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up within {START_SECONDS:.0f} s")


@contextmanager
def _quiet_process(command: list[str]) -> Iterator[int]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def bare_server(core: int | None) -> Iterator[Target]:
    """The baseline: uvicorn + httptools + uvloop serving benchmarks.bare_collect:app."""
    port = free_port()
    command = [
        str(VENV_BIN / "uvicorn"), "benchmarks.bare_collect:app", "--host", "127.0.0.1",
        "--port", str(port), "--http", "httptools", "--loop", "uvloop",
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    process = subprocess.Popen(pinned(core, command), stdout=subprocess.DEVNULL)
    try:
        _wait_up(f"http://127.0.0.1:{port}/", process)
        yield Target("bare", f"http://127.0.0.1:{port}", "", process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def pinrelay_server(
    workdir: Path,
    core: int | None,
    other_core: int | None,
    *,
    deliver: bool = True,
    prepare: Callable[[Path, str], None] | None = None,
) -> Iterator[Target]:
    """`pinrelay serve` on SQLite with one source and one Pinterest integration, delivering
    to a local sandbox, as after the quickstart. `deliver=False` makes the sandbox refuse the
    token (401), which pauses the integration at its first send: events are still mapped and
    queued, but the delivery worker stays idle (to measure collect alone). `prepare(database,
    source_id)` runs on the stopped server's database once the source exists (a prefill);
    the server is then started again, so it opens the database as a restart would."""
    sandbox_port, port, admin_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "PINRELAY_ADMIN_TOKEN": ADMIN_TOKEN,
        "PINRELAY_LOG_LEVEL": "warning" if deliver else "error",  # the pause is a warning
        "PINRELAY_PINTEREST_API_URL": f"http://127.0.0.1:{sandbox_port}/v5",
        "PINRELAY_SECRET_KEY_FILE": str(workdir / "key"),
    }
    sandbox_cmd = [str(VENV_BIN / "pinrelay"), "sandbox", "--port", str(sandbox_port)]
    if not deliver:
        sandbox_cmd += ["--fault-status", "401", "--fault-share", "1"]
    serve_cmd = [
        str(VENV_BIN / "pinrelay"), "serve", "--host", "127.0.0.1", "--port", str(port),
        "--admin-port", str(admin_port), "--db", f"sqlite:///{workdir / 'bench.db'}",
    ]  # fmt: skip
    admin = f"http://127.0.0.1:{admin_port}"
    with ExitStack() as stack:
        stack.enter_context(_quiet_process(pinned(other_core, sandbox_cmd)))
        running = [subprocess.Popen(pinned(core, serve_cmd), env=env, stdout=subprocess.DEVNULL)]
        stack.callback(lambda: _stop(running[0]))  # whichever server runs at the end
        _wait_up(f"{admin}/healthz", running[0])
        source_id, write_key = _create_source(admin)
        if prepare is not None:
            _stop(running[0])
            prepare(workdir / "bench.db", source_id)
            running[0] = subprocess.Popen(
                pinned(core, serve_cmd), env=env, stdout=subprocess.DEVNULL
            )
            _wait_up(f"{admin}/healthz", running[0])
        process = running[0]
        basic = base64.b64encode(f"{write_key}:".encode()).decode()
        yield Target("pinrelay", f"http://127.0.0.1:{port}", f"Basic {basic}", process.pid, admin)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _create_source(admin: str) -> tuple[str, str]:
    """(source id, write key) of a new source with one Pinterest integration."""
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    source = httpx.post(f"{admin}/v1/admin/sources", headers=headers, json={"name": "bench"})
    source.raise_for_status()
    integration = httpx.post(
        f"{admin}/v1/admin/integrations",
        headers=headers,
        json={
            "source_id": source.json()["id"],
            "vendor": "pinterest_ads",
            "name": "bench",
            "config": {"ad_account_id": AD_ACCOUNT, "conversion_token": CONVERSION_TOKEN},
        },
    )
    integration.raise_for_status()
    return str(source.json()["id"]), str(source.json()["write_key"])
