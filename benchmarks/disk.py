"""What one durable commit costs on this disk: the latency of a small write + fsync.

pinrelay answers a collect request only after its group commit (SQLite, synchronous=FULL)
has been fsynced, so no request can be faster than an fsync of the disk under the database,
and a slow fsync shows in every request of its group. The bare baseline never touches the
disk, so the benchmark measures this too, as the disk's own share of pinrelay's latency.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

SYNCS = 200
PAGE = b"\0" * 4096  # one SQLite page


@dataclass(frozen=True)
class FsyncLatency:
    p50_ms: float
    p99_ms: float


def fsync_latency(directory: Path, syncs: int = SYNCS) -> FsyncLatency:
    """p50/p99 of `syncs` appends of one page, each followed by fsync, in `directory`."""
    path = directory / "fsync-probe"
    samples: list[float] = []
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        for _ in range(syncs):
            started = time.perf_counter()
            os.write(descriptor, PAGE)
            os.fsync(descriptor)
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        os.close(descriptor)
        path.unlink()
    cuts = statistics.quantiles(samples, n=100)
    return FsyncLatency(p50_ms=statistics.median(samples), p99_ms=cuts[98])
