"""The in-process ingest benchmark stores every event it sends, also into a prefilled database
kept between runs (the big-table figures of docs/performance.md). It never asserts a speed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.ingest_inprocess", "--events", "200", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr  # non-zero when an event was not stored
    return {
        name.strip(): float(value.replace(",", ""))
        for name, _, value in (line.partition(":") for line in completed.stdout.splitlines())
    }


@pytest.mark.e2e
@pytest.mark.timeout(200)
def test_a_prefilled_database_is_kept_and_a_second_run_adds_to_it(tmp_path: Path) -> None:
    database = tmp_path / "big.db"
    prefill = ["--prefill-events", "3000", "--prefill-identities", "500"]
    first = _run(*prefill, "--database", str(database))
    assert first["events"] == 200
    assert first["written_bytes_per_event"] > 0  # every commit reaches the WAL
    second = _run(*prefill, "--database", str(database))  # no second prefill: same source
    assert 0 < second["loop_thread_us_per_event"] <= second["cpu_us_per_event"]
    with sqlite3.connect(database) as conn:
        (events,) = conn.execute("SELECT count(*) FROM events").fetchone()
        (users,) = conn.execute("SELECT count(*) FROM identities").fetchone()
    warm_up = 2 * 20 * 20  # each run stores 20 requests of --batch 20 before it measures
    assert events == 3000 + 2 * 200 + warm_up
    assert users >= 500 + 2 * 200  # each event is a new user
