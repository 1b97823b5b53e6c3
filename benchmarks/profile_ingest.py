"""Profile `pinrelay serve` under the ingest benchmark's load with py-spy.

    .venv/bin/pip install py-spy          # not a dependency: a tool for this script only
    .venv/bin/python -m benchmarks.profile_ingest --scenario track --seconds 20

Starts pinrelay exactly as benchmarks/ingest.py does (pinned to core 0, wrk on core 1),
records it with py-spy while wrk loads it (`--gil`: only the thread holding the GIL, i.e.
Python's CPU time), and prints the functions that hold the most samples, by own time and by
inclusive time. The raw collapsed stacks are kept in
`--out` (flamegraph.pl or speedscope can draw them).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

from benchmarks.loadgen import SCENARIOS, ensure_wrk, run_wrk
from benchmarks.targets import pinrelay_server

TOP = 30


def _function(frame: str) -> str:
    """`name (package/module.py:12)` -> `name (package/module.py)`: lines of one function
    are added together."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rpartition(':')[0] or where.rstrip(')')})"


def _top(collapsed: Path, limit: int) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        total += count
        frames = [_function(frame) for frame in stack.split(";")]
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{total} samples", "", "own time:"]
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in own.most_common(limit)]
    lines += ["", "inclusive time:"]
    lines += [f"  {n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(limit)]
    return "\n".join(lines)


def _report_only(collapsed: Path, limit: int) -> None:
    print(_top(collapsed, limit))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scenario", choices=[s.name for s in SCENARIOS], default="track")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "pinrelay-ingest-profile.txt"
    )
    parser.add_argument("--top", type=int, default=TOP)
    parser.add_argument("--read", action="store_true", help="only summarise an --out file")
    args = parser.parse_args()
    if args.read:
        _report_only(args.out, args.top)
        return
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise SystemExit("py-spy is missing: .venv/bin/pip install py-spy")
    ensure_wrk()
    scenario = next(s for s in SCENARIOS if s.name == args.scenario)
    with tempfile.TemporaryDirectory() as tmp, pinrelay_server(Path(tmp), 0, 1) as target:
        run_wrk(target, scenario, seconds=2, core=1)  # warm up
        record = [
            py_spy, "record", "--pid", str(target.pid), "--duration", str(args.seconds),
            "--format", "raw", "--output", str(args.out), "--rate", "200", "--gil",
        ]  # fmt: skip
        spy = threading.Thread(target=subprocess.run, args=(record,), kwargs={"check": True})
        spy.start()
        figures = run_wrk(target, scenario, seconds=args.seconds, core=1)
        spy.join()
    print(f"{scenario.label}: {figures.events_per_second:.0f} events/s under py-spy")
    print(_top(args.out, args.top))


if __name__ == "__main__":
    main()
