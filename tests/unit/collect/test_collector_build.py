"""The built pinrelay.js in the package: within its size budget, and what a fresh build makes.

The file is committed so the server needs no npm; this is the guard that it was rebuilt after
every change to collector/src (when node and the collector's npm packages are there).
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest

from pinrelay.collect.static import collector, snippet

ROOT = Path(__file__).parents[3]
COLLECTOR = ROOT / "collector"
GZIP_BUDGET = 2048  # issue 6: <= 2 KB gzipped


def test_the_built_collector_is_at_most_2_kb_gzipped() -> None:
    size = len(gzip.compress(collector().code, compresslevel=9))
    print(f"pinrelay.js: {len(collector().code)} bytes, {size} bytes gzipped")
    assert size <= GZIP_BUDGET


def test_the_built_collector_writes_no_cookie() -> None:
    assert b"cookie" not in collector().code.lower()


@pytest.mark.skipif(
    shutil.which("node") is None or not (COLLECTOR / "node_modules" / "terser").exists(),
    reason="node or the collector's npm packages are missing (scripts/setup runs npm ci)",
)
def test_the_committed_file_is_what_a_fresh_build_makes(tmp_path: Path) -> None:
    out = tmp_path / "pinrelay.js"
    result = subprocess.run(
        ["node", "build.mjs", str(out)],
        cwd=COLLECTOR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "bytes gzipped" in result.stdout
    assert out.read_bytes() == collector().code, "run `npm run build` in collector/ and commit"


def test_the_snippet_loads_the_versioned_file_and_queues_calls() -> None:
    html = snippet("https://t.shop.example/", "wk_123")
    assert f"https://t.shop.example/pinrelay.js?v={collector().version}" in html
    assert '"https://t.shop.example","wk_123"' in html
    assert "p.q.push" in html
    assert "pinrelay.page();" in html
