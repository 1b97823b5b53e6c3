"""The ingest benchmark's smoke run (`--short`), so it cannot rot unnoticed.

It checks that the benchmark runs end to end and produces every figure, and that pinrelay
accepted every body the wrk script generated (a benchmark of 400s would measure nothing).
It never asserts a speed: the machine is shared and noisy; figures live in docs/performance.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_the_short_run_reports_every_figure_for_every_load(tmp_path: Path) -> None:
    report_file = tmp_path / "report.json"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.ingest", "--short", "--json", str(report_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(report_file.read_text())
    assert set(report["scenarios"]) == {"track", "batch", "page"}
    for result in report["scenarios"].values():
        assert result["pinrelay_events_per_second"] > 0
        assert result["bare_events_per_second"] > 0
        assert all(run["failed"] == 0 for run in result["pinrelay"]), result["pinrelay"]
        assert result["p99_ms"] >= result["p50_ms"] > 0
        half = result["half_load"]
        assert half["target_requests_per_second"] > 0
        assert half["failed"] == 0
        assert half["p99_ms"] > 0
        assert result["bare_at_half_load"]["p99_ms"] > 0
        assert result["pinrelay_cpu_us_per_event"] > 0
        # the collect loop's share is part of the whole process's CPU
        loop = result["pinrelay_main_thread_cpu_us_per_event"]
        assert 0 < loop <= result["pinrelay_cpu_us_per_event"]
    assert report["pinrelay_peak_rss_mb"] > 0
    assert report["fsync"]["p99_ms"] >= report["fsync"]["p50_ms"] > 0
    assert "ratio" in completed.stdout
    assert "peak RSS" in completed.stdout
