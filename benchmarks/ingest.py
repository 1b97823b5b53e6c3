"""Ingest benchmark: `pinrelay serve` against a bare uvicorn+httptools JSON app, with wrk.

    .venv/bin/python -m benchmarks.ingest            # 10 s per run, 2 rounds (~5 minutes)
    .venv/bin/python -m benchmarks.ingest --short    # smoke run: 2 s per run, 1 round

Both servers are separate processes pinned to core 0; wrk (and the sandbox pinrelay delivers
to) run on core 1. For each load the bare app and pinrelay are measured in turn, A B A B, in
the same run, and pinrelay is reported as a ratio of the bare app: a noisy machine moves both.
The server not being measured is frozen (SIGSTOP), so pinrelay's delivery worker cannot steal
CPU from the baseline. pinrelay counts only 200s, and a 200 means committed (synchronous=FULL).
Then pinrelay is loaded at half of its measured maximum rate (a constant rate held by wrk's
script) for the latency figure, with the bare app at the same rate as the control; the disk's
fsync latency is measured, and pinrelay's peak RSS read from /proc. docs/performance.md says
how to read the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.adminprobe import AdminLatency, admin_probe
from benchmarks.disk import fsync_latency
from benchmarks.ingest_inprocess import checkout
from benchmarks.loadgen import SCENARIOS, Figures, Scenario, ensure_wrk, run_wrk
from benchmarks.prefill import add_prefill_arguments, prefill
from benchmarks.targets import ADMIN_TOKEN, Target, bare_server, pinrelay_server

WARMUP_SECONDS = 2.0  # per server and load, before the measured runs
HALF_LOAD = 0.5


@contextmanager
def _frozen(target: Target) -> Iterator[None]:
    os.kill(target.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(target.pid, signal.SIGCONT)


def _measure(
    active: Target, idle: Target, scenario: Scenario, seconds: float, core: int | None
) -> Figures:
    with _frozen(idle):
        return run_wrk(active, scenario, seconds=seconds, core=core)


def _median(runs: list[Figures], field: str) -> float:
    return float(statistics.median(getattr(run, field) for run in runs))


def _cores(args: argparse.Namespace) -> tuple[int | None, int | None]:
    if args.no_pin or (os.cpu_count() or 1) < 2:
        return None, None
    return args.server_core, args.load_core


def _prefill_for(args: argparse.Namespace) -> Callable[[Path, str], None] | None:
    """What fills the server's database before it is measured (--prefill-*), if anything."""
    if not (args.prefill_events or args.prefill_identities):
        return None
    body = json.dumps(checkout(0, "prefill"))

    def fill(database: Path, source_id: str) -> None:
        print(
            f"prefilling {args.prefill_events:,} events and {args.prefill_identities:,} users...",
            flush=True,
        )
        prefill(
            database,
            events=args.prefill_events,
            identities=args.prefill_identities,
            source_id=source_id,
            body=body,
        )

    return fill


def run(args: argparse.Namespace) -> dict[str, Any]:
    ensure_wrk()
    server_core, load_core = _cores(args)
    chosen = [s for s in SCENARIOS if s.name in args.scenarios.split(",")]
    with (
        tempfile.TemporaryDirectory(prefix="pinrelay-bench-") as tmp,
        bare_server(server_core) as bare,
        pinrelay_server(
            Path(tmp),
            server_core,
            load_core,
            deliver=not args.no_delivery,
            prepare=_prefill_for(args),
        ) as pinrelay,
    ):
        scenarios = _compare(bare, pinrelay, chosen, args.seconds, args.rounds, load_core)
        with _frozen(bare), _frozen(pinrelay):
            disk = fsync_latency(Path(tmp))
        return {
            "pinned": server_core is not None,
            "prefilled": {"events": args.prefill_events, "identities": args.prefill_identities},
            "scenarios": scenarios,
            "fsync": asdict(disk),
            "pinrelay_peak_rss_mb": pinrelay.peak_rss_mb(),
        }


def _compare(
    bare: Target,
    pinrelay: Target,
    chosen: list[Scenario],
    seconds: float,
    rounds: int,
    load_core: int | None,
) -> dict[str, Any]:
    for scenario in chosen:  # warm both up: imports, caches, pipeline compilation
        for active, idle in ((bare, pinrelay), (pinrelay, bare)):
            _measure(active, idle, scenario, WARMUP_SECONDS, load_core)
    runs: dict[str, dict[str, list[Figures]]] = {
        s.name: {"bare": [], "pinrelay": []} for s in chosen
    }
    admin: dict[str, list[AdminLatency]] = {s.name: [] for s in chosen}
    for _ in range(rounds):
        for scenario in chosen:
            for active, idle in ((bare, pinrelay), (pinrelay, bare)):
                if active is pinrelay and pinrelay.admin_url is not None:
                    with admin_probe(pinrelay.admin_url, ADMIN_TOKEN) as probed:
                        figures = _measure(active, idle, scenario, seconds, load_core)
                    admin[scenario.name] += probed
                else:
                    figures = _measure(active, idle, scenario, seconds, load_core)
                runs[scenario.name][active.name].append(figures)
    results: dict[str, Any] = {}
    for scenario in chosen:
        mine, base = runs[scenario.name]["pinrelay"], runs[scenario.name]["bare"]
        rate = HALF_LOAD * _median(mine, "requests_per_second")
        with _frozen(bare):
            half = run_wrk(
                pinrelay, scenario, seconds=seconds, core=load_core, rate_per_second=rate
            )
        with _frozen(pinrelay):  # the control: what the machine alone adds at that rate
            control = run_wrk(bare, scenario, seconds=seconds, core=load_core, rate_per_second=rate)
        results[scenario.name] = {
            "label": scenario.label,
            "pinrelay": [asdict(f) for f in mine],
            "bare": [asdict(f) for f in base],
            "pinrelay_events_per_second": _median(mine, "events_per_second"),
            "bare_events_per_second": _median(base, "events_per_second"),
            "ratio": _median(mine, "events_per_second")
            / max(_median(base, "events_per_second"), 1e-9),
            "pinrelay_cpu_us_per_event": _median(mine, "cpu_us_per_event"),
            "pinrelay_main_thread_cpu_us_per_event": _median(mine, "main_thread_cpu_us_per_event"),
            "bare_cpu_us_per_event": _median(base, "cpu_us_per_event"),
            "pinrelay_server_cpu": _median(mine, "server_cpu"),
            "bare_server_cpu": _median(base, "server_cpu"),
            "p50_ms": _median(mine, "p50_ms"),
            "p99_ms": _median(mine, "p99_ms"),
            "half_load": {"target_requests_per_second": rate, **asdict(half)},
            "admin_while_saturated": [asdict(a) for a in admin[scenario.name]],
            "bare_at_half_load": asdict(control),
        }
    return results


def render(report: dict[str, Any]) -> str:
    lines = [
        f"{'load':<52} {'pinrelay ev/s':>13} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'bare ev/s':>10} {'ratio':>6}"
    ]
    for result in report["scenarios"].values():
        lines.append(
            f"{result['label']:<52} {result['pinrelay_events_per_second']:>13.0f} "
            f"{result['p50_ms']:>7.1f} {result['p99_ms']:>7.1f} "
            f"{result['bare_events_per_second']:>10.0f} {result['ratio']:>6.2f}"
        )
    lines += ["", "server CPU time per event, and the share of its core it used (below ~95%,"]
    lines += ["the load side or a neighbour on the machine was the limit, not the server;"]
    lines += ["`loop`: pinrelay's collect loop thread, the rest is its writer, control loop, ...):"]
    for result in report["scenarios"].values():
        mine, bare = result["pinrelay_cpu_us_per_event"], result["bare_cpu_us_per_event"]
        loop = result["pinrelay_main_thread_cpu_us_per_event"]
        mine_share, bare_share = result["pinrelay_server_cpu"], result["bare_server_cpu"]
        lines.append(
            f"  {result['label']:<52} pinrelay {mine:>4.0f} us ({mine_share:.0%}, loop "
            f"{loop:.0f})  bare {bare:>5.1f} us ({bare_share:.0%})  ratio {bare / mine:.3f}"
        )
    lines += ["", "pinrelay at half its maximum request rate (constant rate):"]
    for result in report["scenarios"].values():
        half = result["half_load"]
        lines.append(
            f"  {result['label']:<50} {half['requests_per_second']:>8.0f} req/s "
            f"(asked {half['target_requests_per_second']:.0f})  p50 {half['p50_ms']:.1f} ms  "
            f"p99 {half['p99_ms']:.1f} ms  late slots {half['lagged']}"
        )
        control = result["bare_at_half_load"]
        label = "  bare app at the same rate (control)"
        lines.append(
            f"  {label:<50} {control['requests_per_second']:>8.0f}"
            f" req/s  p50 {control['p50_ms']:.1f} ms  p99 {control['p99_ms']:.1f} ms  "
            f"late slots {control['lagged']}"
        )
    lines += ["", "the admin API while collect is saturated (GET /v1/admin/sources, in turn):"]
    for result in report["scenarios"].values():
        probes = result.get("admin_while_saturated") or []
        if probes:
            worst_p99 = max(p["p99_ms"] for p in probes)
            lines.append(
                f"  {result['label']:<50} {sum(p['requests'] for p in probes):>6} answers  "
                f"p50 {statistics.median(p['p50_ms'] for p in probes):.1f} ms  "
                f"p99 {worst_p99:.1f} ms (worst run)  failed {sum(p['failed'] for p in probes)}"
            )
    failed = sum(f["failed"] for r in report["scenarios"].values() for f in r["pinrelay"])
    fsync = report["fsync"]
    lines.append(
        f"  a write + fsync on the database's disk (every 200 waits for one): "
        f"p50 {fsync['p50_ms']:.1f} ms  p99 {fsync['p99_ms']:.1f} ms"
    )
    lines.append("")
    lines.append(f"pinrelay peak RSS: {report['pinrelay_peak_rss_mb']:.0f} MB")
    lines.append(f"pinrelay answers that were not 2xx: {failed}")
    prefilled = report.get("prefilled") or {}
    if prefilled.get("events") or prefilled.get("identities"):
        lines.append(
            f"database prefilled with {prefilled['events']:,} events and "
            f"{prefilled['identities']:,} users before the runs (its subject filter loads in"
            " the background after the restart: ~6 s per 1M users, within the warm-up only"
            " for small prefills)"
        )
    if not report["pinned"]:
        lines.append("warning: not pinned to cores (fewer than 2 CPUs or --no-pin)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each run")
    parser.add_argument("--rounds", type=int, default=2, help="A B rounds per load")
    parser.add_argument("--short", action="store_true", help="smoke run: 2 s runs, 1 round")
    parser.add_argument("--scenarios", default=",".join(s.name for s in SCENARIOS))
    parser.add_argument("--server-core", type=int, default=0)
    parser.add_argument("--load-core", type=int, default=1)
    parser.add_argument("--no-pin", action="store_true", help="do not pin with taskset")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--no-delivery",
        action="store_true",
        help="pause the integration at its first send: measures collect without the worker",
    )
    add_prefill_arguments(parser)
    args = parser.parse_args()
    if args.short:
        args.seconds, args.rounds = 2.0, 1
    report = run(args)
    print(render(report))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
