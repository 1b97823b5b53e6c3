"""The in-process import benchmark runs end to end and queues every row it generates (the
figure `benchmarks.instructions --workload import` counts). It never asserts a speed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
@pytest.mark.timeout(120)
@pytest.mark.parametrize("phones", ["international", "national"])
def test_a_small_run_queues_every_row_and_reports_its_cpu(phones: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.import_inprocess", "--rows", "250", "--phones", phones],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr  # it exits non-zero unless all queued
    figures = {
        name.strip(): float(value.replace(",", ""))
        for name, _, value in (line.partition(":") for line in completed.stdout.splitlines())
    }
    assert figures["rows"] == 250
    assert 0 < figures["loop_thread_us_per_row"] <= figures["cpu_us_per_row"]
