"""Delivery throughput: events/s pinrelay's worker delivers to the sandbox, against a bare client.

    .venv/bin/python -m benchmarks.delivery --events 30000 --inflight 4 --rounds 3

One sandbox subprocess (`pinrelay sandbox`) receives both runs, in the same process run:
- baseline: a bare httpx client posting the same batch bodies (1000 events each), with as
  many requests in flight as the worker has batches in flight;
- pinrelay: the outbox prefilled with the same events (not timed), then the DeliveryWorker
  claims, sends, reads every per-event status and records every outcome durably
  (synchronous=FULL), until the queue is empty.
The two alternate for --rounds rounds and the best of each is compared: the report is the
ratio (target >= 0.5), so a noisy machine (these are shared) moves both.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from pinrelay.app import retry_policy_of
from pinrelay.credentials import SecretBox
from pinrelay.delivery.worker import DeliveryWorker
from pinrelay.logs import configure_logging
from pinrelay.pinterest.client import PinterestClient
from pinrelay.pinterest.validation import encode_batch
from pinrelay.settings import Settings
from pinrelay.store.records import IngestRecord, Integration, OutboxRow
from pinrelay.store.sqlite.store import SQLiteStore
from tests.support.servers import free_port

VENV_BIN = Path(sys.executable).parent
AD_ACCOUNT = "549764982399"
TOKEN = "pina_sandbox_token"
BATCH = 1000


def _payloads(count: int) -> list[bytes]:
    now = int(time.time()) - 60
    email = hashlib.sha256(b"buyer@example.com").hexdigest()
    return [
        json.dumps(
            {
                "event_name": "checkout",
                "action_source": "web",
                "event_time": now,
                "event_id": str(uuid.uuid4()),
                "user_data": {"em": [email], "client_ip_address": "203.0.113.7"},
                "custom_data": {"currency": "USD", "value": "42.50"},
            },
            separators=(",", ":"),
        ).encode()
        for _ in range(count)
    ]


def _wait(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


async def _baseline(api: str, payloads: list[bytes], inflight: int) -> float:
    bodies = [encode_batch(payloads[i : i + BATCH]) for i in range(0, len(payloads), BATCH)]
    url = f"{api}/ad_accounts/{AD_ACCOUNT}/events"
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    queue = list(reversed(bodies))
    async with httpx.AsyncClient(timeout=60) as client:

        async def sender() -> None:
            while queue:
                response = await client.post(url, content=queue.pop(), headers=headers)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(inflight)))
        return len(payloads) / (time.perf_counter() - started)


async def _pinrelay(api: str, payloads: list[bytes], inflight: int, workdir: Path) -> float:
    box = SecretBox(Fernet.generate_key())
    store = SQLiteStore(workdir / "bench.db")
    await store.open()
    now = time.time()
    await store.create_source(
        source_id="src", name="b", write_key_hash="h" * 64, write_key_hint="w"
    )
    await store.create_integration(
        Integration(
            "int",
            "src",
            "pinterest_ads",
            "b",
            True,
            AD_ACCOUNT,
            box.encrypt(TOKEN),
            "oken",
            False,
            (),
            {},
            None,
            now,
            now,
        )
    )
    for start in range(0, len(payloads), 5000):  # prefill, not timed
        await store.ingest(
            [
                IngestRecord(
                    "src",
                    str(uuid.uuid4()),
                    "track",
                    "x",
                    "u",
                    None,
                    now,
                    b"{}",
                    b"[]",
                    outbox=(OutboxRow("int", "id", "checkout", int(now) - 60, p),),
                )
                for p in payloads[start : start + 5000]
            ]
        )
    defaults = Settings()  # the shipped defaults (or PINRELAY_* where set)
    client = PinterestClient(api, timeout_seconds=60)
    worker = DeliveryWorker(
        store,
        client,
        box,
        retry=retry_policy_of(defaults),
        lease_seconds=defaults.delivery_lease_seconds,
        poll_seconds=0.05,
        inflight_batches=inflight,
        rate_limit_per_minute=defaults.delivery_rate_limit_per_minute,
    )
    started = time.perf_counter()
    task = asyncio.create_task(worker.run())
    while store.lane_stats()[0].pending:  # noqa: ASYNC110  # polling a counter for a benchmark
        await asyncio.sleep(0.005)
    elapsed = time.perf_counter() - started
    worker.stop()
    await task
    counts = await store.outbox_counts("int")
    await client.aclose()
    await store.close()
    if counts["delivered"] != len(payloads):
        raise SystemExit(f"not everything was delivered: {counts}")
    return len(payloads) / elapsed


def main() -> None:
    configure_logging("warning")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--inflight", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each; best")
    args = parser.parse_args()
    port = free_port()
    sandbox = subprocess.Popen(
        [str(VENV_BIN / "pinrelay"), "sandbox", "--port", str(port)], stderr=subprocess.DEVNULL
    )
    api = f"http://127.0.0.1:{port}/v5"
    baselines: list[float] = []
    pinrelays: list[float] = []
    try:
        _wait(f"http://127.0.0.1:{port}/healthz")
        for _ in range(args.rounds):  # alternate, so a noisy neighbour hits both alike
            baselines.append(asyncio.run(_baseline(api, _payloads(args.events), args.inflight)))
            httpx.delete(f"http://127.0.0.1:{port}/_sandbox/events")
            with tempfile.TemporaryDirectory() as tmp:
                pinrelays.append(
                    asyncio.run(_pinrelay(api, _payloads(args.events), args.inflight, Path(tmp)))
                )
            httpx.delete(f"http://127.0.0.1:{port}/_sandbox/events")
    finally:
        sandbox.terminate()
        sandbox.wait()
    baseline, pinrelay = max(baselines), max(pinrelays)
    print(f"events: {args.events} per run, batches of {BATCH}, {args.inflight} in flight")
    print(f"baseline runs (events/s): {', '.join(f'{b:.0f}' for b in baselines)}")
    print(f"pinrelay runs (events/s): {', '.join(f'{p:.0f}' for p in pinrelays)}")
    print(f"baseline (bare httpx client), best:   {baseline:10.0f} events/s")
    print(f"pinrelay (claim, send, record), best: {pinrelay:10.0f} events/s")
    print(f"ratio pinrelay / baseline:            {pinrelay / baseline:10.2f}")


if __name__ == "__main__":
    main()
