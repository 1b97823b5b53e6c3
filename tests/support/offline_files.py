"""Export files for the offline import tests, dated relative to today.

The fixtures under tests/fixtures/offline/ are real-shaped exports whose dates are written
as %DAY-N% (the date N days ago): Pinterest refuses events older than 7 days, so a file
with fixed dates would age out of the tests.
"""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "offline"
_DAY = re.compile(r"%DAY-(\d+)%")


def day_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%d")


def render(name: str) -> bytes:
    """A fixture's bytes with its %DAY-N% dates filled in (BOM and line endings kept)."""
    raw = (FIXTURES / name).read_bytes()
    return _DAY.sub(lambda m: day_ago(int(m.group(1))), raw.decode("utf-8")).encode("utf-8")


def written(name: str, directory: Path, *, gzipped: bool = False) -> Path:
    """The rendered fixture written under `directory` (gzipped on request)."""
    data = render(name)
    target = directory / (name + (".gz" if gzipped else ""))
    target.write_bytes(gzip.compress(data) if gzipped else data)
    return target
