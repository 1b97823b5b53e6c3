"""CPU per event of the ingest path in process, without HTTP: decode, check, map, commit.

    .venv/bin/python -m benchmarks.ingest_inprocess --events 20000 --batch 20
    .venv/bin/python -m benchmarks.ingest_inprocess --profile out.prof   # cProfile it
    .venv/bin/python -m benchmarks.ingest_inprocess --batch 500 --batch-workers 2

The same checkout as benchmarks/wrk/collect.lua (a new user and messageId per event, one
product, an email, IP, user agent and an epik click id), posted as `/v1/batch` bodies of
`--batch` events, through the functions the collect endpoint calls: JSON decode, the message
check, `Ingestor.ingest` (identity, pipelines, validation, redaction, group commit on a real
SQLite file with synchronous=FULL). Figures: process CPU per event (all threads: the writer's
too) and, for comparison in the same run, the CPU to only decode the same bodies (what the
bare baseline of benchmarks/ingest.py does). It is a quick, quiet figure for comparing two
versions of the code; the honest server figure is benchmarks/ingest.py's. With
`--batch-workers N`, requests of 100 events or more are mapped in N worker processes
(collect/mappingpool.py, as `PINRELAY_BATCH_WORKERS` does), their CPU counted apart.

A database that has run for months is not an empty one: `--prefill-events N` and
`--prefill-identities M` write N stored events (random UUID message ids, as SDKs send) and M
remembered users first, and `--database FILE` keeps that file for the next run (a 5M-event
prefill takes about two minutes). `written_bytes_per_event` is what the process passed to
write(2): the WAL and its checkpoints. It exits non-zero if an event was not stored.

    .venv/bin/python -m benchmarks.ingest_inprocess --events 40000 \
        --prefill-events 5000000 --prefill-identities 1000000 --database /var/tmp/big.db
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from benchmarks.prefill import add_prefill_arguments, prefill
from benchmarks.targets import processes_cpu_seconds
from pinrelay.collect.ingest import Ingestor, RequestInfo
from pinrelay.collect.mappingpool import MappingPool
from pinrelay.collect.messages import check_message
from pinrelay.store.engines import open_store
from tests.support.stores import sample_integration

AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)


def checkout(n: int, run: str) -> dict[str, Any]:
    """Order n of `run`, with a new user; its `messageId` and `userId` are random UUIDs, as
    SDKs make them, so they land at random places in their indexes (in order they would
    append: cheaper on a big file, docs/performance.md session 10)."""
    ident = f"{run}-{n}"
    return {
        "type": "track",
        "event": "Order Completed",
        "userId": str(uuid.uuid4()),
        "messageId": str(uuid.uuid4()),
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "context": {
            "ip": f"203.0.{n % 250}.{n % 200 + 1}",
            "userAgent": AGENT,
            "page": {
                "url": f"https://shop.example/checkout?epik=dj0yJnU9{ident}",
                "referrer": "https://www.pinterest.com/",
            },
            "library": {"name": "analytics-python", "version": "2.3.3"},
        },
        "properties": {
            "order_id": f"order-{ident}",
            "revenue": 20 + n % 80 + 0.5,
            "currency": "USD",
            "email": f"Buyer.{ident}@Example.com",
            "products": [
                {
                    "product_id": f"sku-{n % 997}",
                    "name": "Linen shirt",
                    "category": "Shirts",
                    "price": 20 + n % 80 + 0.5,
                    "quantity": 1,
                }
            ],
        },
    }


def bodies(events: int, batch: int, run: str) -> list[bytes]:
    return [
        json.dumps({"batch": [checkout(i + j, run) for j in range(batch)]}).encode()
        for i in range(0, events, batch)
    ]


def _written_bytes() -> int:
    """Bytes this process passed to write(2) so far (`wchar` of /proc/self/io): the WAL's
    share of a commit shows here."""
    with open("/proc/self/io") as io:
        return next(int(line.split()[1]) for line in io if line.startswith("wchar:"))


async def measure(
    events: int,
    batch: int,
    profile: Path | None,
    in_flight: int = 8,
    workers: int = 0,
    prefill_events: int = 0,
    prefill_identities: int = 0,
    database: Path | None = None,
) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = database or Path(tmp) / "bench.db"
        store = open_store(f"sqlite:///{path}")
        await store.open()
        kept = store.get_source("src_bench")
        if kept is not None:  # a --database from an earlier run: prefilled already
            source = kept
        else:
            source = await store.create_source(
                source_id="src_bench", name="bench", write_key_hash="h" * 64, write_key_hint="wk_"
            )
            integration = sample_integration(id="int_bench", source_id=source.id)
            await store.create_integration(integration)
        if kept is None and (prefill_events or prefill_identities):
            await store.close()
            stored_body = json.dumps(checkout(0, "prefill"))
            prefill(
                path,
                events=prefill_events,
                identities=prefill_identities,
                source_id=source.id,
                body=stored_body,
            )
            store = open_store(f"sqlite:///{path}")
            await store.open()
            reopened = store.get_source(source.id)
            assert reopened is not None
            source = reopened
        loading = time.perf_counter()
        # after a restart on a big file the filter loads in the background, and until it is
        # done every new visitor costs a read: measure the steady state, say how long it took
        while not getattr(store, "subjects_loaded", True):  # noqa: ASYNC110  # a thread sets it
            await asyncio.sleep(0.05)
        subject_filter_load_s = time.perf_counter() - loading
        pool = MappingPool(workers, niceness=0) if workers else None
        ingestor = Ingestor(store, pool=pool)
        request = RequestInfo(client_ip="198.51.100.1", user_agent=AGENT)
        decoder = msgspec.json.Decoder()

        async def one(body: bytes) -> None:
            decoded = decoder.decode(body)
            received = datetime.now(UTC)
            accepted = [
                check_message(m, default_type=None, received_at=received, batch_sent_at=None)
                for m in decoded["batch"]
            ]
            stored = await ingestor.ingest(source, accepted, request)
            if not all(stored):  # every messageId is new: a False is a lost or mixed-up event
                raise SystemExit(f"{stored.count(False)} of {len(stored)} events not stored")

        if pool is not None:
            while not pool.ready():  # noqa: ASYNC110  # started by the first call
                await asyncio.sleep(0.05)
        # warm caches and the JIT-less paths (new message ids: a kept --database has the last)
        for body in bodies(batch * 20, batch, f"warm{time.time_ns()}"):
            await one(body)
        pids = pool.pids() if pool is not None else []
        workers_started = processes_cpu_seconds(pids)
        work = bodies(events, batch, f"r{time.time_ns()}")
        started = time.process_time()
        decode_only = [decoder.decode(b) for b in work]
        decode_cpu = time.process_time() - started
        del decode_only
        profiler = cProfile.Profile() if profile else None
        written = _written_bytes()
        started = time.process_time()
        main_started = time.thread_time()
        wall = time.perf_counter()
        if profiler:
            profiler.enable()
        # `in_flight` requests at a time: 8 as a loaded server has them (group commit)
        for i in range(0, len(work), in_flight):
            await asyncio.gather(*(one(b) for b in work[i : i + in_flight]))
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(profile))
        cpu = time.process_time() - started
        main_cpu = time.thread_time() - main_started
        wall = time.perf_counter() - wall
        workers_cpu = processes_cpu_seconds(pids) - workers_started
        written = _written_bytes() - written
        if pool is not None:
            await pool.close()
        await store.close()
        database_mb = path.stat().st_size / 1e6
    return {
        "events": float(events),
        "workers_cpu_us_per_event": workers_cpu / events * 1e6,
        "cpu_us_per_event": cpu / events * 1e6,
        "loop_thread_us_per_event": main_cpu / events * 1e6,
        "other_threads_us_per_event": (cpu - main_cpu) / events * 1e6,
        "decode_us_per_event": decode_cpu / events * 1e6,
        "events_per_cpu_second": events / cpu,
        "wall_events_per_second": events / wall,
        "written_bytes_per_event": written / events,
        "database_mb": database_mb,
        "subject_filter_load_s": subject_filter_load_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument(
        "--in-flight",
        type=int,
        default=8,
        help="requests at a time (1: one request per group commit, the same work in every run)",
    )
    parser.add_argument("--profile", type=Path, help="write a cProfile of the measured part")
    parser.add_argument(
        "--batch-workers", type=int, default=0, help="mapping processes (0: none, the default)"
    )
    add_prefill_arguments(parser)
    parser.add_argument(
        "--database",
        type=Path,
        help="SQLite file to use and keep (prefilled when new): reruns skip the prefill",
    )
    args = parser.parse_args()
    if args.in_flight < 1:
        parser.error("--in-flight must be at least 1")
    figures = asyncio.run(
        measure(
            args.events,
            args.batch,
            args.profile,
            args.in_flight,
            args.batch_workers,
            args.prefill_events,
            args.prefill_identities,
            args.database,
        )
    )
    for name, value in figures.items():
        print(f"{name:>24}: {value:,.1f}")


if __name__ == "__main__":
    main()
