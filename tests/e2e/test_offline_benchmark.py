"""The offline import benchmark's smoke mode: it runs end to end and reports its figures.

The 1M-row run is not part of the suite (it takes minutes); its figures are in the docs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_imports_a_generated_sheet_and_reports_rows_per_second() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.offline_import", "--rows", "300"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "rows imported:               300 (done, 300 queued)" in result.stdout
    assert "rows/s:" in result.stdout
    assert "server peak RSS:" in result.stdout
    assert "without an import; during it" in result.stdout
