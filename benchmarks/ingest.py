"""Ingest throughput: acknowledged events/s of `pinrelay serve` against a bare JSON endpoint.

    .venv/bin/python -m benchmarks.ingest --seconds 10 --concurrency 32 --batch 50

Both servers run as subprocesses under uvicorn on loopback, one after the other, loaded by
the same client. pinrelay's number counts only acknowledged events (each 200 means the events
are committed to SQLite with synchronous=FULL); the report is the ratio of the two, measured
in the same run, so a noisy machine moves both.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.support.servers import free_port

VENV_BIN = Path(sys.executable).parent
ADMIN_TOKEN = "benchmark-admin-token"


def _event(index: int) -> dict[str, Any]:
    return {
        "type": "track",
        "event": "Order Completed",
        "userId": f"user-{index % 1000}",
        "messageId": str(uuid.uuid4()),
        "context": {"ip": "203.0.113.7", "userAgent": "Mozilla/5.0 (benchmark)"},
        "properties": {
            "order_id": f"o-{index}",
            "revenue": 42.5,
            "currency": "USD",
            "email": f"buyer{index % 1000}@example.com",
            "products": [{"product_id": "sku-1", "price": 21.25, "quantity": 2}],
        },
    }


async def _load(
    url: str, auth: tuple[str, str] | None, seconds: float, concurrency: int, batch_size: int
) -> int:
    acknowledged = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def sender() -> None:
            nonlocal acknowledged
            counter = 0
            while time.monotonic() < deadline:
                body = {"batch": [_event(counter + i) for i in range(batch_size)]}
                counter += batch_size
                response = await client.post(url, json=body, auth=auth or ("", ""))
                if response.status_code == 200:
                    acknowledged += batch_size

        await asyncio.gather(*(sender() for _ in range(concurrency)))
    return acknowledged


def _wait(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def _measure_baseline(args: argparse.Namespace) -> float:
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "uvicorn"),
            "benchmarks.bare_collect:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    )
    try:
        _wait(f"http://127.0.0.1:{port}/")
        count = asyncio.run(
            _load(
                f"http://127.0.0.1:{port}/v1/batch",
                None,
                args.seconds,
                args.concurrency,
                args.batch,
            )
        )
    finally:
        process.terminate()
        process.wait()
    return float(count / args.seconds)


def _measure_pinrelay(args: argparse.Namespace, workdir: Path) -> float:
    sandbox_port, port, admin_port = free_port(), free_port(), free_port()
    sandbox = subprocess.Popen(
        [str(VENV_BIN / "pinrelay"), "sandbox", "--port", str(sandbox_port)],
        stderr=subprocess.DEVNULL,
    )
    env = {
        **os.environ,
        "PINRELAY_ADMIN_TOKEN": ADMIN_TOKEN,
        "PINRELAY_LOG_LEVEL": "warning",
        "PINRELAY_PINTEREST_API_URL": f"http://127.0.0.1:{sandbox_port}/v5",
        "PINRELAY_SECRET_KEY_FILE": str(workdir / "key"),
    }
    server = subprocess.Popen(
        [
            str(VENV_BIN / "pinrelay"),
            "serve",
            "--port",
            str(port),
            "--admin-port",
            str(admin_port),
            "--host",
            "127.0.0.1",
            "--db",
            f"sqlite:///{workdir / 'bench.db'}",
        ],
        env=env,
    )
    try:
        admin = f"http://127.0.0.1:{admin_port}"
        _wait(f"{admin}/healthz")
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        source = httpx.post(
            f"{admin}/v1/admin/sources", headers=headers, json={"name": "bench"}
        ).json()
        httpx.post(
            f"{admin}/v1/admin/integrations",
            headers=headers,
            json={
                "source_id": source["id"],
                "vendor": "pinterest_ads",
                "name": "bench",
                "config": {
                    "ad_account_id": "549764982399",
                    "conversion_token": "pina_sandbox_token",
                },
            },
        ).raise_for_status()
        count = asyncio.run(
            _load(
                f"http://127.0.0.1:{port}/v1/batch",
                (source["write_key"], ""),
                args.seconds,
                args.concurrency,
                args.batch,
            )
        )
    finally:
        for process in (server, sandbox):
            process.terminate()
            process.wait()
    return float(count / args.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    baseline = _measure_baseline(args)
    with tempfile.TemporaryDirectory() as tmp:
        pinrelay = _measure_pinrelay(args, Path(tmp))
    print(f"baseline (bare JSON endpoint): {baseline:10.0f} events/s")
    print(f"pinrelay (durable, mapped):    {pinrelay:10.0f} events/s")
    print(f"ratio pinrelay / baseline:     {pinrelay / baseline:10.2f}")


if __name__ == "__main__":
    main()
