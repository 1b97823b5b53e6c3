"""Offline imports on a real SQLite store: through the live ingest path, safe to repeat,
resumable after an interruption, refusing what Pinterest would refuse."""

from __future__ import annotations

import asyncio
import csv
import gzip
import io
import os
import stat
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path

import pytest

from pinrelay.collect.ingest import Ingestor, RequestInfo
from pinrelay.collect.messages import check_message
from pinrelay.offline import runner
from pinrelay.offline.figures import ImportFigures
from pinrelay.offline.jobs import ImportJobs
from pinrelay.offline.mapping import parse_mapping
from pinrelay.offline.runner import CHUNK_EVENTS, ImportRun
from pinrelay.offline.spec import ImportSpec
from pinrelay.store.records import IngestRecord, StoredIdentity
from pinrelay.store.sqlite.store import SQLiteStore
from tests.support.stores import INTEGRATION_ID, SOURCE_ID, opened_store

pytestmark = pytest.mark.anyio


def sheet(rows: int, *, start: int = 0, hours_ago: float = 2) -> bytes:
    """A generic sheet of `rows` sales, all recent, each with its own order id."""
    when = (datetime.now(UTC) - timedelta(hours=hours_ago)).isoformat()
    lines = ["email,phone,order_id,value,currency,time"]
    lines += [f"buyer{i}@example.com,,A-{i},{i}.50,USD,{when}" for i in range(start, start + rows)]
    return ("\n".join(lines) + "\n").encode()


async def pending(store: SQLiteStore) -> int:
    return (await store.outbox_counts(INTEGRATION_ID))["pending"]


async def nothing(figures: ImportFigures, bytes_read: int) -> None:
    return None


async def import_bytes(store: SQLiteStore, data: bytes) -> tuple[ImportRun, str]:
    source = store.get_source(SOURCE_ID)
    assert source is not None
    errors = io.StringIO()
    run = ImportRun(Ingestor(store), source, ImportSpec().mapping(), errors=errors)
    await run.run(io.BytesIO(data), on_chunk=nothing)
    return run, errors.getvalue()


async def test_a_re_import_queues_nothing_twice(tmp_path: Path) -> None:
    async with opened_store(tmp_path / "p.db") as store:
        first, _ = await import_bytes(store, sheet(600))
        again, _ = await import_bytes(store, sheet(600))

        assert (first.figures.queued, first.figures.duplicate) == (600, 0)
        assert (again.figures.queued, again.figures.duplicate) == (0, 600)
        assert await pending(store) == 600


async def test_a_gzipped_file_imports_like_the_plain_one(tmp_path: Path) -> None:
    async with opened_store(tmp_path / "p.db") as store:
        run, _ = await import_bytes(store, gzip.compress(sheet(3)))

        assert run.figures.queued == 3
        assert run.figures.coverage() == {"em": 1.0}


async def test_bad_and_old_rows_are_refused_counted_and_listed_by_row(tmp_path: Path) -> None:
    recent = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    old = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    data = (
        "email,order_id,value,time\n"
        f"ok@example.com,1,5,{recent}\n"
        f"old@example.com,2,5,{old}\n"
        "late@example.com,3,5,next tuesday\n"
        f",4,5,{recent}\n"
        "just,two\n"
    ).encode()
    async with opened_store(tmp_path / "p.db") as store:
        run, errors = await import_bytes(store, data)

        figures = run.figures.as_dict()
        assert figures["queued"] == 1
        assert figures["too_old"] == 1
        assert figures["refused"] == {
            "too old": 1,
            "bad time": 1,
            "unmatchable": 1,
            "unreadable row": 1,
        }
        listed = list(csv.reader(io.StringIO(errors)))
        assert listed[0] == ["row", "kind", "reason"]
        assert [(r[0], r[1]) for r in listed[1:]] == [
            ("2", "too old"),
            ("3", "bad time"),
            ("4", "unmatchable"),
            ("5", "unreadable row"),
        ]
        assert "no email" in listed[3][2]
        assert await pending(store) == 1


async def test_the_event_log_keeps_hashes_never_the_raw_email(tmp_path: Path) -> None:
    async with opened_store(tmp_path / "p.db") as store:
        await import_bytes(store, sheet(1))
        await store.close()
        raw = b"".join(p.read_bytes() for p in tmp_path.glob("p.db*"))  # noqa: ASYNC240  # a test reading the closed files
        assert b"buyer0@example.com" not in raw
        await store.open()


class StallingIngestor(Ingestor):
    """Commits `commits` chunks, then holds the next commit until `resume` is set (never, by
    default: it hangs like a process about to be killed)."""

    def __init__(self, store: SQLiteStore, commits: int) -> None:
        super().__init__(store)
        self.left = commits
        self.stalled = asyncio.Event()
        self.resume = asyncio.Event()

    async def commit(self, records: Sequence[IngestRecord]) -> list[bool]:
        if self.left == 0:
            self.stalled.set()
            await self.resume.wait()
        self.left -= 1
        return await super().commit(records)


async def chunks_of(data: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(data), 4096):
        yield data[start : start + 4096]


async def test_an_interrupted_import_resumes_where_it_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "COMMIT_DRAIN_SECONDS", 0.05)  # the third commit never ends
    rows = CHUNK_EVENTS * 4 + 10
    async with opened_store(tmp_path / "p.db") as store:
        source = store.get_source(SOURCE_ID)
        assert source is not None
        stalling = StallingIngestor(store, commits=2)
        jobs = ImportJobs(store, stalling, tmp_path / "imports", max_bytes=10**8)
        record = await jobs.receive(chunks_of(sheet(rows)), file_name="s.csv", actor="test")
        await jobs.start(record, source, ImportSpec())
        await stalling.stalled.wait()
        await jobs.stop()  # the server stops mid-import

        interrupted = await store.get_import(record.id)
        assert interrupted is not None
        assert interrupted.status == "interrupted"
        assert interrupted.figures["rows_read"] == 2 * CHUNK_EVENTS
        assert await pending(store) == 2 * CHUNK_EVENTS

        restarted = ImportJobs(store, Ingestor(store), tmp_path / "imports", max_bytes=10**8)
        assert await restarted.resume_interrupted() == [record.id]
        await restarted.wait(record.id)

        done = await store.get_import(record.id)
        assert done is not None
        assert done.status == "done"
        assert (done.figures["queued"], done.figures["duplicate"]) == (rows, 0)
        assert await pending(store) == rows
        assert not jobs.upload_path(record.id).exists()  # raw PII is deleted once imported


async def test_a_stop_lets_the_chunk_being_committed_finish_and_count(tmp_path: Path) -> None:
    rows = CHUNK_EVENTS * 4 + 10
    async with opened_store(tmp_path / "p.db") as store:
        source = store.get_source(SOURCE_ID)
        assert source is not None
        slow = StallingIngestor(store, commits=2)
        jobs = ImportJobs(store, slow, tmp_path / "imports", max_bytes=10**8)
        record = await jobs.receive(chunks_of(sheet(rows)), file_name="s.csv", actor="test")
        await jobs.start(record, source, ImportSpec())
        await slow.stalled.wait()  # the third chunk is being committed
        stopping = asyncio.create_task(jobs.stop())
        await asyncio.sleep(0.05)
        slow.resume.set()  # and its commit ends after the stop began
        await stopping

        interrupted = await store.get_import(record.id)
        assert interrupted is not None
        assert interrupted.figures["rows_read"] == 3 * CHUNK_EVENTS  # its progress was saved
        restarted = ImportJobs(store, Ingestor(store), tmp_path / "imports", max_bytes=10**8)
        await restarted.resume_interrupted()
        await restarted.wait(record.id)
        done = await store.get_import(record.id)
        assert done is not None
        assert (done.figures["queued"], done.figures["duplicate"]) == (rows, 0)


async def test_an_upload_waits_in_a_private_file_and_a_too_large_one_is_refused(
    tmp_path: Path,
) -> None:
    async with opened_store(tmp_path / "p.db") as store:
        jobs = ImportJobs(store, Ingestor(store), tmp_path / "imports", max_bytes=1000)
        record = await jobs.receive(chunks_of(sheet(3)), file_name="s.csv", actor="test")

        mode = stat.S_IMODE(os.stat(jobs.upload_path(record.id)).st_mode)
        assert mode == 0o600
        assert stat.S_IMODE(os.stat(jobs.directory).st_mode) == 0o700
        with pytest.raises(Exception, match="over 1000 bytes") as raised:
            await jobs.receive(chunks_of(sheet(100)), file_name="big.csv", actor="test")
        assert getattr(raised.value, "status_code", None) == 413
        assert sorted(p.name for p in jobs.directory.iterdir()) == [f"{record.id}.upload"]


async def test_a_user_id_column_brings_the_users_remembered_keys(tmp_path: Path) -> None:
    async with opened_store(tmp_path / "p.db") as store:
        source = store.get_source(SOURCE_ID)
        assert source is not None
        ingestor = Ingestor(store)
        live = check_message(
            {"type": "identify", "userId": "c-7", "traits": {"email": "kim@example.com"}},
            default_type=None,
            received_at=datetime.now(UTC),
            batch_sent_at=None,
        )
        await ingestor.ingest(source, [live], RequestInfo(client_ip=None))
        recent = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        data = f"customer,order_id,value,time\nc-7,K-1,12,{recent}\n".encode()
        mapping = parse_mapping("event_id: order_id\nuser_id: customer\ntime: time\n")
        run = ImportRun(ingestor, source, mapping, preview_events=1)

        await run.run(io.BytesIO(data), on_chunk=nothing)

        assert run.figures.queued == 1
        assert run.preview[0]["user_data"]["em"] == [sha256(b"kim@example.com").hexdigest()]
        found = await store.identities_for(SOURCE_ID, [("anonymous", "offline-K-1")])
        assert found.get(("anonymous", "offline-K-1"), StoredIdentity()).match_keys == {}


async def test_a_row_never_takes_the_keys_of_another_row_of_its_user(tmp_path: Path) -> None:
    """Offline rows are not remembered, so none of them lends its keys to the next rows of
    the same customer: a row's payload is the same whichever chunk it lands in."""
    async with opened_store(tmp_path / "p.db") as store:
        source = store.get_source(SOURCE_ID)
        assert source is not None
        recent = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
        data = (
            "customer,email,order_id,value,time\n"
            f"c-9,first@example.com,L-1,12,{recent}\n"
            f"c-9,second@example.com,L-2,15,{recent}\n"
        ).encode()
        mapping = parse_mapping(
            "event_id: order_id\nuser_id: customer\ntime: time\n"
            "fields:\n  context.traits.email: email\n  properties.value: value\n"
        )
        run = ImportRun(Ingestor(store), source, mapping, preview_events=2)

        await run.run(io.BytesIO(data), on_chunk=nothing)

        assert run.figures.queued == 2
        emails = [event["user_data"]["em"] for event in run.preview]
        assert emails == [
            [sha256(b"first@example.com").hexdigest()],
            [sha256(b"second@example.com").hexdigest()],
        ]
        found = await store.identities_for(SOURCE_ID, [("user", "c-9")])
        assert found.get(("user", "c-9"), StoredIdentity()).match_keys == {}
