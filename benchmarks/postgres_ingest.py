"""PostgreSQL-mode ingest: durable events/s with 1 and 2 collect processes, against SQLite.

    .venv/bin/python -m benchmarks.postgres_ingest --seconds 10 --connections 32

Each mode runs `pinrelay serve --role collect,admin` (with `--workers 2` for the second
PostgreSQL figure) pinned with taskset to the server cores, and `wrk` in its own process
pinned to another core, posting 20-event batches with fresh messageIds. An event counts when
its request got 200, i.e. after its commit: PostgreSQL runs with fsync and synchronous_commit
on, SQLite with synchronous=FULL. All figures come from the same run on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.support.postgres import _binaries, throwaway_cluster
from tests.support.servers import free_port

VENV_BIN = Path(sys.executable).parent
ADMIN_TOKEN = "benchmark-admin-token-0123456789"
BATCH = 20

WRK_SCRIPT = """
local auth = "%(auth)s"
local thread_id, counter = 0, 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) thread_id = tid or 0 end
request = function()
  local parts = {}
  for i = 1, %(batch)d do
    counter = counter + 1
    parts[i] = string.format('{"type":"track","event":"Order Completed","userId":"user-%%d",'
      .. '"messageId":"%(run)s-%%d-%%d","context":{"ip":"203.0.113.7","userAgent":'
      .. '"Mozilla/5.0 (benchmark)"},"properties":{"order_id":"o-%%d","revenue":42.5,'
      .. '"currency":"USD","email":"buyer%%d@example.com"}}',
      counter %% 1000, thread_id, counter, counter, counter %% 1000)
  end
  return wrk.format("POST", "/v1/batch",
    {["Content-Type"] = "application/json", ["Authorization"] = "Basic " .. auth},
    '{"batch":[' .. table.concat(parts, ",") .. ']}')
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d\\n", summary.requests, summary.errors.status,
    summary.duration))
end
"""


def _wait(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def _configure(admin: str) -> str:
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    source = httpx.post(f"{admin}/v1/admin/sources", headers=headers, json={"name": "b"}).json()
    httpx.post(
        f"{admin}/v1/admin/integrations",
        headers=headers,
        json={
            "source_id": source["id"],
            "vendor": "pinterest_ads",
            "name": "bench",
            "config": {"ad_account_id": "549764982399", "conversion_token": "pina_sandbox"},
        },
    ).raise_for_status()
    return str(source["write_key"])


def _run_wrk(args: argparse.Namespace, url: str, write_key: str, workdir: Path) -> float:
    """Durable events/s: 20 x the 200 answers per second wrk measured."""
    auth = base64.b64encode(f"{write_key}:".encode()).decode()
    script = workdir / f"load-{time.monotonic_ns()}.lua"
    run = f"r{time.monotonic_ns()}"
    script.write_text(WRK_SCRIPT % {"auth": auth, "batch": BATCH, "run": run})
    command = [
        "taskset", "-c", args.load_cpus, "wrk", "-t", "2", "-c", str(args.connections),
        "-d", f"{args.seconds}s", "-s", str(script), url,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (\d+) (\d+) (\d+)", output)
    if match is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    requests, failed, micros = (int(g) for g in match.groups())
    return (requests - failed) * BATCH / (micros / 1e6)


def _measure(args: argparse.Namespace, workdir: Path, database_url: str, workers: int) -> float:
    port, admin_port = free_port(), free_port()
    env = {
        **os.environ,
        "PINRELAY_ADMIN_TOKEN": ADMIN_TOKEN,
        "PINRELAY_LOG_LEVEL": "warning",
        "PINRELAY_SECRET_KEY_FILE": str(workdir / "key"),
    }
    admin = subprocess.Popen(  # the admin API, to configure; not under load
        [str(VENV_BIN / "pinrelay"), "serve", "--role", "admin", "--admin-port",
         str(admin_port), "--db", database_url],
        env=env,
    )  # fmt: skip
    server = None
    try:
        if database_url.startswith("sqlite"):
            admin.terminate()  # one process owns a SQLite file: configure, then serve
            admin.wait()
            admin = subprocess.Popen(
                [str(VENV_BIN / "pinrelay"), "serve", "--role", "admin,collect", "--admin-port",
                 str(admin_port), "--port", str(port), "--host", "127.0.0.1",
                 "--db", database_url],
                env=env,
            )  # fmt: skip
        _wait(f"http://127.0.0.1:{admin_port}/healthz")
        write_key = _configure(f"http://127.0.0.1:{admin_port}")
        if not database_url.startswith("sqlite"):
            server = subprocess.Popen(
                ["taskset", "-c", args.server_cpus, str(VENV_BIN / "pinrelay"), "serve",
                 "--role", "collect", "--workers", str(workers), "--port", str(port),
                 "--host", "127.0.0.1", "--db", database_url],
                env=env,
            )  # fmt: skip
        _wait(f"http://127.0.0.1:{port}/healthz")
        time.sleep(1.0)  # the collect processes have the new source in their catalog
        return _run_wrk(args, f"http://127.0.0.1:{port}", write_key, workdir)
    finally:
        for process in (server, admin):
            if process is not None:
                process.terminate()
                process.wait()


async def _store_only(database_url: str, seconds: float, concurrency: int) -> float:
    """Events/s through `Store.ingest` alone (no HTTP, no mapping): the database's ceiling."""
    from pinrelay.store.engines import open_store
    from pinrelay.store.records import IdentityUpdate
    from tests.contract.conftest import record
    from tests.support.stores import SOURCE_ID, sample_integration

    store = open_store(database_url)
    await store.open()
    await store.create_source(
        source_id=SOURCE_ID, name="b", write_key_hash="h" * 64, write_key_hint="h"
    )
    await store.create_integration(sample_integration())
    done = 0
    deadline = time.monotonic() + seconds

    async def client(number: int) -> None:
        nonlocal done
        sent = 0
        while time.monotonic() < deadline:
            batch = [
                record(
                    f"{number}-{sent}-{k}",
                    keys=("em",),
                    identities=(IdentityUpdate("user", f"u{k}", {"em": ["e" * 64]}),),
                )
                for k in range(BATCH)
            ]
            await store.ingest(batch)
            sent += 1
            done += BATCH

    await asyncio.gather(*(client(n) for n in range(concurrency)))
    await store.close()
    return done / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--server-cpus", default="0", help="taskset list for pinrelay")
    parser.add_argument("--load-cpus", default="1", help="taskset list for wrk")
    parser.add_argument("--postgres-cpus", default=None, help="taskset list for PostgreSQL")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk (scripts/setup does)")
    bin_dir = _binaries()
    if bin_dir is None:
        sys.exit("PostgreSQL is missing: apt-get install postgresql (scripts/setup does)")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        sqlite = _measure(args, workdir, f"sqlite:///{workdir / 'bench.db'}", 1)
        with throwaway_cluster(bin_dir, durable=True, cpus=args.postgres_cpus) as server:
            server.prepare_template()
            store_only = asyncio.run(
                _store_only(server.new_database(), args.seconds, args.connections)
            )
            one = _measure(args, workdir, server.new_database(), 1)
            two = _measure(args, workdir, server.new_database(), 2)
    print(f"cores: {os.cpu_count()}, server cpus {args.server_cpus}, wrk cpus {args.load_cpus}")
    print(f"SQLite, 1 process:         {sqlite:10.0f} durable events/s")
    print(f"PostgreSQL, store only:    {store_only:10.0f} durable events/s (no HTTP, no mapping)")
    print(f"PostgreSQL, 1 collect:     {one:10.0f} durable events/s")
    print(f"PostgreSQL, 2 collect:     {two:10.0f} durable events/s  ({two / one:.2f}x one)")


if __name__ == "__main__":
    main()
