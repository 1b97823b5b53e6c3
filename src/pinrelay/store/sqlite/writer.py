"""The one writer of a SQLite database, with group commit.

SQLite allows one writer at a time and every commit costs an fsync. So one thread owns the
write connection: it takes everything queued, runs it in ONE transaction (each operation in
its own savepoint, so one failing operation does not undo the others), commits once, and only
then resolves the callers' futures. A request is answered after its events are durable, and
a burst of N requests costs one fsync instead of N (DESIGN.md: ~25K acknowledged events/s on
one core against ~3.3K with one commit per request).

Jobs queued with `run_merged` and the same merge function, next to each other in the queue,
also share their statements: one call writes all their items (an ingest of many single-event
requests becomes a few multi-row inserts instead of a few per request). If that call fails,
it is undone and each item runs on its own, so one bad item still fails alone.
"""

from __future__ import annotations

import asyncio
import functools
import queue
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog

from pinrelay.errors import StoreError

T = TypeVar("T")
Item = TypeVar("Item")
Operation = Callable[[sqlite3.Connection], Any]
# Writes several jobs' items in one call; one result per item, in their order.
Merge = Callable[[sqlite3.Connection, list[Any]], list[Any]]

logger = structlog.get_logger(__name__)


@dataclass
class _Job:
    operation: Operation  # a merged job's: its `merge` for its item alone
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    merge: Merge | None = None  # jobs next to each other with the same merge run as one call
    item: Any = None


_STOP = object()


_Result = tuple[asyncio.Future[Any], Any, BaseException | None]


def _resolve(results: list[_Result]) -> None:
    for future, result, error in results:
        if future.done():  # the caller went away (e.g. the client disconnected)
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


class GroupCommitWriter:
    """Runs write operations on a dedicated thread, committing them in groups."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], *, max_items: int) -> None:
        self._connect = connect
        self._max_items = max_items
        self._queue: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self.commits = 0  # how many transactions were committed (for tests and metrics)

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name="pinrelay-sqlite-writer", daemon=True
        )
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            raise StoreError(f"cannot open the database for writing: {self._startup_error}")

    def stop(self) -> None:
        """Finish everything queued so far, then close the write connection."""
        if self._thread is None:
            return
        self._queue.put(_STOP)
        self._thread.join()
        self._thread = None

    async def run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run `operation(connection)` in the next group commit; return after the commit."""
        if self._thread is None:
            raise StoreError("the store is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Job(operation, future, loop))
        return await future

    async def run_merged(
        self, merge: Callable[[sqlite3.Connection, list[Item]], list[T]], item: Item
    ) -> T:
        """Write `item` with `merge(connection, [..., item, ...])` in the next group commit,
        in one call with the items of the jobs next to it in the queue that have the same
        `merge`; return its own result (`merge` gives one per item, in order)."""
        if self._thread is None:
            raise StoreError("the store is not open")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        alone = functools.partial(_merged_alone, merge, item)
        self._queue.put(_Job(alone, future, loop, merge, item))
        return await future

    def _run(self) -> None:
        try:
            connection = self._connect()
        except BaseException as exc:  # reported to start() and raised there
            self._startup_error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                first = self._queue.get()
                if first is _STOP:
                    return
                jobs = [first]
                stop_after = False
                while len(jobs) < self._max_items:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is _STOP:
                        stop_after = True
                        break
                    jobs.append(item)
                self._commit_group(connection, [job for job in jobs if isinstance(job, _Job)])
                if stop_after:
                    return
        finally:
            connection.close()

    def _commit_group(self, connection: sqlite3.Connection, jobs: list[_Job]) -> None:
        results: list[tuple[_Job, Any, BaseException | None]] = []
        try:
            connection.execute("BEGIN IMMEDIATE")
            for run in _runs(jobs):
                if run[0].merge is None:
                    results.append(_in_savepoint(connection, run[0]))
                else:
                    results += _merged(connection, run[0].merge, run)
            connection.execute("COMMIT")
            self.commits += 1
        except sqlite3.Error as exc:
            logger.error("group commit failed", action="store.commit_failed", error=str(exc))
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            failure = StoreError(f"the database rejected the write: {exc}")
            results = [(job, None, failure) for job in jobs]
        # One wake-up per event loop for the whole group, not one per job.
        by_loop: dict[asyncio.AbstractEventLoop, list[_Result]] = {}
        for job, result, error in results:
            by_loop.setdefault(job.loop, []).append((job.future, result, error))
        for loop, resolved in by_loop.items():
            loop.call_soon_threadsafe(_resolve, resolved)


def _runs(jobs: list[_Job]) -> list[list[_Job]]:
    """The group in queue order: each plain job alone, neighbours with one merge together."""
    runs: list[list[_Job]] = []
    for job in jobs:
        if job.merge is not None and runs and runs[-1][0].merge is job.merge:
            runs[-1].append(job)
        else:
            runs.append([job])
    return runs


def _in_savepoint(
    connection: sqlite3.Connection, job: _Job
) -> tuple[_Job, Any, BaseException | None]:
    """Run one job in its own savepoint: if it fails, what it wrote is undone, nothing else."""
    connection.execute("SAVEPOINT job")
    try:
        result = job.operation(connection)
    except Exception as exc:  # one bad operation must not undo the others
        connection.execute("ROLLBACK TO job")
        return job, None, exc
    finally:
        connection.execute("RELEASE job")
    return job, result, None


def _merged_alone(merge: Merge, item: Any, connection: sqlite3.Connection) -> Any:
    """A merged job's write when it runs on its own."""
    results = merge(connection, [item])
    if len(results) != 1:
        raise StoreError(f"a merged write gave {len(results)} results for 1 item")
    return results[0]


def _merged(
    connection: sqlite3.Connection, merge: Merge, run: list[_Job]
) -> list[tuple[_Job, Any, BaseException | None]]:
    """A run of jobs with one merge: one call for all, or (if it fails) one call each."""
    if len(run) == 1:
        return [_in_savepoint(connection, run[0])]
    connection.execute("SAVEPOINT merged")
    try:
        merged = merge(connection, [job.item for job in run])
        if len(merged) != len(run):
            raise StoreError(f"a merged write gave {len(merged)} results for {len(run)} items")
    except Exception:  # undone; each item on its own finds which one fails
        connection.execute("ROLLBACK TO merged")
        connection.execute("RELEASE merged")
        return [_in_savepoint(connection, job) for job in run]
    connection.execute("RELEASE merged")
    return [(job, result, None) for job, result in zip(run, merged, strict=True)]
