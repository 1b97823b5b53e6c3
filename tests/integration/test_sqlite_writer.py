"""The group-commit writer merges the jobs that wait together for the same merge function
into one call, and still lets a bad item fail alone (a real SQLite file, the real thread)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from pinrelay.store.sqlite.writer import GroupCommitWriter
from tests.support.writer import in_one_group

pytestmark = pytest.mark.anyio


def _connect(path: Path) -> Callable[[], sqlite3.Connection]:
    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("CREATE TABLE IF NOT EXISTS written (item TEXT NOT NULL)")
        return conn

    return connect


@pytest.fixture
async def writer(tmp_path: Path) -> AsyncIterator[GroupCommitWriter]:
    started = GroupCommitWriter(_connect(tmp_path / "w.db"), max_items=100)
    started.start()
    yield started
    started.stop()


class Recorder:
    """A merge function that writes its items and records each call's items."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, conn: sqlite3.Connection, items: list[str]) -> list[str]:
        self.calls.append(list(items))
        for item in items:
            if item == "bad":
                raise sqlite3.IntegrityError("bad is refused")
            conn.execute("INSERT INTO written VALUES (?)", (item,))
        return [f"wrote {item}" for item in items]


def _written(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "w.db") as conn:
        return [row[0] for row in conn.execute("SELECT item FROM written ORDER BY rowid")]


async def test_jobs_waiting_together_are_written_in_one_call_each_with_its_result(
    writer: GroupCommitWriter, tmp_path: Path
) -> None:
    merge = Recorder()
    commits = writer.commits
    results = await in_one_group(writer, *(writer.run_merged(merge, f"e{i}") for i in range(5)))
    assert results == [f"wrote e{i}" for i in range(5)]
    assert merge.calls == [["e0", "e1", "e2", "e3", "e4"]]
    assert writer.commits == commits + 2  # the blocker's group, then all five in one
    assert _written(tmp_path) == ["e0", "e1", "e2", "e3", "e4"]


async def test_when_the_merged_call_fails_each_item_runs_alone_and_only_the_bad_one_fails(
    writer: GroupCommitWriter, tmp_path: Path
) -> None:
    merge = Recorder()
    results = await in_one_group(
        writer, *(writer.run_merged(merge, item) for item in ("e0", "bad", "e2"))
    )
    assert results[0] == "wrote e0"
    assert results[2] == "wrote e2"
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert merge.calls == [["e0", "bad", "e2"], ["e0"], ["bad"], ["e2"]]
    # the failed merged call's own write of e0 was undone: each item is written once
    assert _written(tmp_path) == ["e0", "e2"]


async def test_a_plain_job_between_merged_ones_keeps_its_place_in_the_order(
    writer: GroupCommitWriter, tmp_path: Path
) -> None:
    merge = Recorder()

    def plain(conn: sqlite3.Connection) -> str:
        conn.execute("INSERT INTO written VALUES ('plain')")
        return "plain done"

    results = await in_one_group(
        writer,
        writer.run_merged(merge, "a1"),
        writer.run_merged(merge, "a2"),
        writer.run(plain),
        writer.run_merged(merge, "b1"),
    )
    assert results == ["wrote a1", "wrote a2", "plain done", "wrote b1"]
    assert merge.calls == [["a1", "a2"], ["b1"]]
    assert _written(tmp_path) == ["a1", "a2", "plain", "b1"]


async def test_different_merge_functions_are_not_mixed(
    writer: GroupCommitWriter, tmp_path: Path
) -> None:
    first, second = Recorder(), Recorder()
    results = await in_one_group(
        writer,
        writer.run_merged(first, "x1"),
        writer.run_merged(second, "y1"),
        writer.run_merged(first, "x2"),
    )
    assert results == ["wrote x1", "wrote y1", "wrote x2"]
    assert first.calls == [["x1"], ["x2"]]
    assert second.calls == [["y1"]]
