"""Jobs that reach the SQLite writer's queue together, so they land in one group commit."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable
from typing import Any

from pinrelay.store.sqlite.writer import GroupCommitWriter


async def in_one_group(writer: GroupCommitWriter, *jobs: Awaitable[Any]) -> list[Any]:
    """Await `jobs` (results or exceptions, in order), queued while the writer is held busy
    by a job of its own, so they all wait for, and share, the next group commit."""
    release, busy = threading.Event(), threading.Event()

    def block(conn: sqlite3.Connection) -> None:
        busy.set()
        release.wait(10)

    blocker = asyncio.ensure_future(writer.run(block))
    await asyncio.to_thread(busy.wait, 10)
    tasks = [asyncio.ensure_future(job) for job in jobs]
    await asyncio.sleep(0.01)  # every job is queued behind the blocker
    release.set()
    await blocker
    return await asyncio.gather(*tasks, return_exceptions=True)
