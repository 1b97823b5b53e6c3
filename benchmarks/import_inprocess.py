"""CPU per row of an offline import in process, without HTTP: read, map, ingest, commit.

    .venv/bin/python -m benchmarks.import_inprocess --rows 20000
    .venv/bin/python -m benchmarks.import_inprocess --rows 20000 --phones national

The generic sheet of benchmarks/offline_import.py (email, phone, order_id, value, currency,
time; a new buyer per row), imported by `ImportRun` exactly as the server's import job runs
it (rows -> messages -> identity, pipelines, validation -> group commits of 100 rows) on a
real SQLite file with synchronous=FULL, after a warm-up import of its own. Figures: process
CPU per row (all threads: the writer's too) and the loop thread's share; with `--workers N`
the rows are mapped in N worker processes (collect.mappingpool), their CPU counted apart. A
quick figure to compare two versions of the code (benchmarks.instructions --workload
import counts it); the server's own figure, with a live sender beside the import, is
benchmarks.offline_import's.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.targets import processes_cpu_seconds
from pinrelay.collect.ingest import Ingestor
from pinrelay.collect.mappingpool import MappingPool
from pinrelay.eventloop import run
from pinrelay.offline.figures import ImportFigures
from pinrelay.offline.mapping import load_mapping
from pinrelay.offline.runner import ImportRun
from pinrelay.store.engines import open_store
from pinrelay.store.records import Source
from pinrelay.store.sqlite.store import SQLiteStore
from tests.support.stores import sample_integration


def _international(i: int) -> str:
    return f"+1415555{i % 10000:04d}"


def _national(i: int) -> str:
    return f"(415) 555-{i % 10000:04d}"  # read in the source's country (US)


PHONES: dict[str, Callable[[int], str]] = {"international": _international, "national": _national}


def write_sheet(path: Path, rows: int, *, run: str, phones: str) -> None:
    """`rows` recent sales, each with its own buyer and order id (unique across runs)."""
    when = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    phone = PHONES[phones]
    with path.open("w", encoding="utf-8") as file:
        file.write("email,phone,order_id,value,currency,time\n")
        for i in range(rows):
            file.write(f"buyer{i}.{run}@example.com,{phone(i)},{run}-{i},{i % 500}.99,USD,{when}\n")


async def _nothing(figures: ImportFigures, bytes_read: int) -> None:
    return None


async def _import(
    store: SQLiteStore, source: Source, sheet: Path, pool: MappingPool | None
) -> ImportFigures:
    importer = ImportRun(Ingestor(store), source, load_mapping("generic"), pool=pool)
    with sheet.open("rb") as stream:
        return await importer.run(stream, on_chunk=_nothing)


async def measure(rows: int, phones: str, workers: int = 0) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        assert isinstance(store, SQLiteStore)
        await store.open()
        pool = MappingPool(workers) if workers else None
        try:
            source = await store.create_source(
                source_id="src_bench", name="bench", write_key_hash="h" * 64, write_key_hint="wk_"
            )
            await store.create_integration(sample_integration(id="int_bench", source_id=source.id))
            sheet = Path(tmp) / "sheet.csv"
            write_sheet(sheet, 300, run="warm", phones=phones)  # compiles, caches, presets
            warm = workers * 200  # every worker starts and compiles before the measured run
            write_sheet(sheet, 300 + warm, run="warm", phones=phones)
            await _import(store, source, sheet, pool)
            write_sheet(sheet, rows, run=f"r{time.time_ns()}", phones=phones)
            pids = pool.pids() if pool is not None else []
            started, loop_started = time.process_time(), time.thread_time()
            workers_started = processes_cpu_seconds(pids)
            wall = time.perf_counter()
            figures = await _import(store, source, sheet, pool)
            wall = time.perf_counter() - wall
            cpu, loop_cpu = time.process_time() - started, time.thread_time() - loop_started
            workers_cpu = processes_cpu_seconds(pids) - workers_started
        finally:
            if pool is not None:
                await pool.close()
            await store.close()
    if figures.queued != rows:
        raise SystemExit(f"only {figures.queued:,} of {rows:,} rows were queued: {figures}")
    return {
        "rows": float(rows),
        "workers": float(workers),
        "cpu_us_per_row": cpu / rows * 1e6,
        "workers_cpu_us_per_row": workers_cpu / rows * 1e6,
        "loop_thread_us_per_row": loop_cpu / rows * 1e6,
        "rows_per_cpu_second": rows / cpu,
        "wall_rows_per_second": rows / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--phones", choices=sorted(PHONES), default="international")
    parser.add_argument(
        "--workers", type=int, default=0, help="mapping processes (0: in process, the default)"
    )
    args = parser.parse_args()
    figures = run(
        measure(args.rows, args.phones, args.workers)
    )  # the server's loop and collector settings
    for name, value in figures.items():
        print(f"{name:>24}: {value:,.1f}")


if __name__ == "__main__":
    main()
