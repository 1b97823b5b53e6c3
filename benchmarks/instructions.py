"""Instructions per ingested event, counted by valgrind: the A/B figure noise does not move.

    .venv/bin/python -m benchmarks.instructions                       # this checkout
    PYTHONPATH=<other checkout>/src .venv/bin/python -m benchmarks.instructions   # another
    .venv/bin/python -m benchmarks.instructions --workload import --small 300 --large 900

Runs `benchmarks.ingest_inprocess` (20-event batches of the wrk script's checkout, through
identity, pipelines, validation and the SQLite group commit) under callgrind twice, for
`--small` and `--large` events, and prints the difference per event: start-up, imports and
warm-up cancel out. One request at a time (`--in-flight 1`): eight in flight counted the
same within 0.3%, and one is simpler to reason about. Time on a shared machine moves by
10-50% between runs; these counts move by under 1% within a session (but about 15% between
sessions on this machine), so compare two versions of the code in the same session. It is
slow (valgrind runs Python ~50 times slower): a few minutes. Needs Debian's `valgrind`.
`--workload import` counts offline import rows instead (`benchmarks.import_inprocess`: the
generic sheet through `ImportRun`, 100-row commits); `--small` and `--large` are then rows.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_TOTAL = re.compile(rb"^summary: (\d+)", re.MULTILINE)


def workload_command(workload: str, events: int, batch: int) -> list[str]:
    """The in-process benchmark that `instructions` counts, for `events` events (or rows)."""
    if workload == "import":
        return ["benchmarks.import_inprocess", "--rows", str(events)]
    return [
        "benchmarks.ingest_inprocess",
        *("--events", str(events), "--batch", str(batch), "--in-flight", "1"),
    ]


def instructions(events: int, batch: int, workdir: Path, workload: str = "ingest") -> int:
    """Instructions (valgrind's Ir) of one in-process run of `events` events (or rows)."""
    out = workdir / f"callgrind.{events}.out"
    subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-m",
            *workload_command(workload, events, batch),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    found = _TOTAL.search(out.read_bytes())
    if found is None:
        raise SystemExit(f"no instruction total in {out}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=3000)
    parser.add_argument("--batch", type=int, default=20, help="events per request (ingest)")
    parser.add_argument("--workload", choices=("ingest", "import"), default="ingest")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: sudo apt-get install valgrind")
    with tempfile.TemporaryDirectory() as tmp:
        small = instructions(args.small, args.batch, Path(tmp), args.workload)
        large = instructions(args.large, args.batch, Path(tmp), args.workload)
    per_event = (large - small) / (args.large - args.small)
    unit = "row" if args.workload == "import" else "event"
    print(f"instructions per {unit}: {per_event:,.0f} ({args.small:,} and {args.large:,} {unit}s)")


if __name__ == "__main__":
    main()
