"""Imports mapped in worker processes (collect.mappingpool): the same rows on disk as an import
mapped in the server process, settings that change mid-import honoured, no token ever sent
to a worker, and an import that outlives its workers."""

from __future__ import annotations

import io
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from pinrelay.collect.ingest import Ingestor
from pinrelay.collect.mappingpool import MappingPool, auto_workers, snapshot_of
from pinrelay.collect.messages import AcceptedMessage, check_message
from pinrelay.offline.figures import ImportFigures
from pinrelay.offline.jobs import ImportJobs
from pinrelay.offline.runner import OFFLINE_REQUEST, ImportRun
from pinrelay.offline.spec import ImportSpec
from pinrelay.store.sqlite.store import SQLiteStore
from tests.support.stores import INTEGRATION_ID, SOURCE_ID, opened_store, sample_integration

pytestmark = pytest.mark.anyio

SECOND_INTEGRATION = "int_2"  # runs the same presets: one compiled set, shared
TOKEN = b"gAAAA-encrypted-conversion-token"


def sales(rows: int, *, run: str = "A") -> bytes:
    """Recent sales with every match key the generic sheet carries, one buyer per row."""
    when = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    lines = ["email,phone,order_id,value,currency,time"]
    lines += [
        f" Buyer{i}@Example.com ,+1 415 555 {i % 10000:04d},{run}-{i},{i}.50,USD,{when}"
        for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


async def nothing(figures: ImportFigures, bytes_read: int) -> None:
    return None


async def with_second_integration(store: SQLiteStore) -> None:
    await store.create_integration(
        sample_integration(id=SECOND_INTEGRATION, conversion_token_enc=TOKEN)
    )


async def import_with(
    store: SQLiteStore, data: bytes, pool: MappingPool | None, *, now: float
) -> ImportFigures:
    source = store.get_source(SOURCE_ID)
    assert source is not None
    run = ImportRun(Ingestor(store), source, ImportSpec().mapping(), now=now, pool=pool)
    return await run.run(io.BytesIO(data), on_chunk=nothing)


WRITTEN = {
    "events": "SELECT message_id, type, name, user_id, anonymous_id, received_at, body, trace"
    " FROM events ORDER BY seq",
    "outbox": "SELECT integration_id, event_id, event_name, event_time, payload"
    " FROM outbox_events ORDER BY seq",
    "match keys": "SELECT integration_id, key, events FROM match_key_counts ORDER BY 1, 2",
    "identities": "SELECT * FROM identities",
}


def written(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything an import wrote: stored events, Pinterest events, counters, identities."""
    with sqlite3.connect(path) as db:
        return {name: db.execute(query).fetchall() for name, query in WRITTEN.items()}


def accepted(rows: int) -> list[AcceptedMessage]:
    now = datetime.now(UTC)
    return [
        check_message(
            {
                "type": "track",
                "event": "Order Completed",
                "messageId": f"m-{i}",
                "userId": f"u-{i}",
                "context": {"traits": {"email": f"b{i}@example.com"}},
                "properties": {"order_id": f"o-{i}", "value": 10, "currency": "USD"},
            },
            default_type=None,
            received_at=now,
            batch_sent_at=None,
        )
        for i in range(rows)
    ]


async def test_rows_mapped_in_workers_are_stored_exactly_as_rows_mapped_in_process(
    tmp_path: Path,
) -> None:
    data, now = sales(450), time.time()
    async with opened_store(tmp_path / "here.db") as here:
        await with_second_integration(here)
        in_process = await import_with(here, data, None, now=now)
    pool = MappingPool(2)
    try:
        async with opened_store(tmp_path / "workers.db") as there:
            await with_second_integration(there)
            in_workers = await import_with(there, data, pool, now=now)
        assert len(pool.pids()) == 2
        assert not pool.broken
    finally:
        await pool.close()

    assert in_workers == in_process
    assert in_workers.queued == 450
    stored = written(tmp_path / "here.db")
    assert [len(stored[name]) for name in WRITTEN] == [450, 900, 6, 0]  # em, ph, _events x2
    assert written(tmp_path / "workers.db") == stored


async def test_an_integration_changed_during_an_import_is_mapped_with_its_new_settings(
    tmp_path: Path,
) -> None:
    pool = MappingPool(1)
    try:
        async with opened_store(tmp_path / "p.db") as store:
            source, ingestor = store.get_source(SOURCE_ID), Ingestor(store)
            assert source is not None
            integration = store.get_integration(INTEGRATION_ID)
            assert integration is not None
            pipelines = ingestor.pipelines

            async def mapped(rows: list[AcceptedMessage]) -> list[int]:
                current = store.get_integration(INTEGRATION_ID)
                assert current is not None
                _, known = await ingestor.lookups(source, rows, OFFLINE_REQUEST)
                records = await pool.build_records(
                    source, rows, OFFLINE_REQUEST, [current], pipelines, known
                )
                return [len(record.outbox) for record in records]

            assert await mapped(accepted(3)) == [1, 1, 1]
            await store.update_integration(
                replace(
                    integration,
                    settings={"disabled_presets": ["checkout"], "custom_events": False},
                    updated_at=integration.updated_at + 1,
                )
            )
            assert await mapped(accepted(3)) == [0, 0, 0]  # no pipeline for the sale now
    finally:
        await pool.close()


async def test_a_worker_is_never_sent_a_conversion_token(tmp_path: Path) -> None:
    async with opened_store(tmp_path / "p.db") as store:
        await with_second_integration(store)
        source = store.get_source(SOURCE_ID)
        assert source is not None
        integrations = store.list_integrations(SOURCE_ID)
        sets = [Ingestor(store).pipelines(i) for i in integrations]

        snapshot = snapshot_of(source, integrations, sets)

        assert [i.conversion_token_enc for i in snapshot.integrations] == [b"", b""]
        assert TOKEN not in pickle.dumps(snapshot)
        assert [i.id for i in snapshot.integrations] == [i.id for i in integrations]


async def test_an_import_goes_on_in_the_server_when_its_workers_are_killed(
    tmp_path: Path,
) -> None:
    pool = MappingPool(1)
    try:
        async with opened_store(tmp_path / "p.db") as store:
            await import_with(store, sales(10, run="warm"), pool, now=time.time())
            for pid in pool.pids():
                os.kill(pid, signal.SIGKILL)

            with capture_logs() as logs:
                figures = await import_with(store, sales(300), pool, now=time.time())

            assert (figures.queued, figures.duplicate) == (300, 0)
            assert pool.broken
            assert [entry["action"] for entry in logs] == ["mapping.workers_broken"]
    finally:
        await pool.close()


async def test_the_server_maps_a_big_file_in_workers_and_a_small_one_itself(
    tmp_path: Path,
) -> None:
    async with opened_store(tmp_path / "p.db") as store:
        source = store.get_source(SOURCE_ID)
        assert source is not None
        big = sales(200, run="big")
        jobs = ImportJobs(
            store,
            Ingestor(store),
            tmp_path / "imports",
            max_bytes=10**8,
            workers=2,
            pool_min_bytes=len(big),
        )

        async def imported(data: bytes) -> tuple[int, int]:
            record = await jobs.receive(_once(data), file_name="s.csv", actor="test")
            with capture_logs() as logs:
                await jobs.start(record, source, ImportSpec())
                await jobs.wait(record.id)
            done = await store.get_import(record.id)
            assert done is not None
            assert done.status == "done", done.message
            (started,) = [entry for entry in logs if entry["action"] == "import.started"]
            return done.figures["queued"], started["workers"]

        assert await imported(big) == (200, 2)
        assert await imported(sales(20, run="small")) == (20, 0)


async def test_a_dry_run_in_workers_previews_what_one_in_the_server_does(
    tmp_path: Path,
) -> None:
    async with opened_store(tmp_path / "p.db") as store:
        source = store.get_source(SOURCE_ID)
        assert source is not None
        data = sales(250, run="dry")

        async def preview(workers: int) -> tuple[ImportFigures, list[dict[str, object]]]:
            jobs = ImportJobs(
                store,
                Ingestor(store),
                tmp_path / f"imports-{workers}",
                max_bytes=10**8,
                workers=workers,
                pool_min_bytes=1,
            )
            record = await jobs.receive(_once(data), file_name="s.csv", actor="test")
            run = await jobs.preview(record, source, ImportSpec(), events=3)
            return run.figures, run.preview

        in_workers, in_process = await preview(2), await preview(0)

        assert in_workers == in_process
        assert in_workers[0].queued == 250
        assert (await store.outbox_counts(INTEGRATION_ID)).get("pending", 0) == 0  # dry


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def test_a_host_gets_a_worker_per_core_up_to_four_and_none_on_one_core() -> None:
    assert [auto_workers(cpus) for cpus in (1, 2, 3, 8, 64)] == [0, 2, 3, 4, 4]


def test_the_cores_counted_are_those_the_server_may_run_on() -> None:
    """`taskset -c 0 pinrelay serve` on a big host maps its imports in the server."""
    pinned = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-c", PRINT_AUTO_WORKERS],
        capture_output=True,
        text=True,
        check=True,
    )
    assert pinned.stdout.strip() == "0"


PRINT_AUTO_WORKERS = "from pinrelay.collect.mappingpool import auto_workers; print(auto_workers())"
