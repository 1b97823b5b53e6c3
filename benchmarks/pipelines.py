"""Pipeline evaluation per event: the trigger index against trying every trigger, and the
generated functions (pipeline.codegen) against the closure interpreter they replace.

    .venv/bin/python -m benchmarks.pipelines --seconds 2

Each pair runs on the presets, in the same process and the same run, interleaved, for an
"Order Completed" track (matched by one preset), a page call and an unknown track (the
`custom` fallback). The report is the time per event of each and their ratio; the outputs of
both are checked to be the same first, so neither can win by skipping work.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from pinrelay.pipeline import EventInput, load_presets
from pinrelay.pipeline.evaluator import PipelineSet

MESSAGES: dict[str, dict[str, Any]] = {
    "Order Completed": {
        "type": "track",
        "event": "Order Completed",
        "userId": "user-1",
        "messageId": "m-1",
        "timestamp": "2026-01-01T00:00:00Z",
        "context": {"ip": "203.0.113.7", "userAgent": "Mozilla/5.0 (benchmark)"},
        "properties": {
            "order_id": "o-1",
            "revenue": 72.39,
            "currency": "usd",
            "products": [{"product_id": "p1", "price": 30.5, "quantity": 2}],
        },
    },
    "page": {
        "type": "page",
        "name": "Home",
        "anonymousId": "a-1",
        "messageId": "m-2",
        "context": {"ip": "203.0.113.7", "userAgent": "Mozilla/5.0 (benchmark)"},
    },
    "unknown track": {
        "type": "track",
        "event": "Newsletter Opened",
        "userId": "user-1",
        "messageId": "m-3",
        "context": {"ip": "203.0.113.7", "userAgent": "Mozilla/5.0 (benchmark)"},
    },
}


def _per_event_seconds(run: Callable[[], object], seconds: float) -> float:
    runs = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(100):
            run()
        runs += 100
    return (time.perf_counter() - started) / runs


def interleaved(
    first: Callable[[], object], second: Callable[[], object], seconds: float
) -> tuple[float, float]:
    """(first, second) seconds per call, measured in turns so a noisy neighbour slows both."""
    first_total = second_total = 0.0
    rounds = 4
    for _ in range(rounds):
        first_total += _per_event_seconds(first, seconds / (2 * rounds))
        second_total += _per_event_seconds(second, seconds / (2 * rounds))
    return first_total / rounds, second_total / rounds


def measure(pipelines: PipelineSet, message: dict[str, Any], seconds: float) -> tuple[float, float]:
    """(scan, indexed) seconds per full evaluation (matching + running what matched)."""
    inp = EventInput(message)
    scanned = [p.name for p in pipelines.matching_by_scan(message)]
    indexed = [p.name for p in pipelines.matching(message)]
    if scanned != indexed:
        raise SystemExit(f"the index changed the result: {scanned} != {indexed}")

    def by_scan() -> object:
        return [p.run(inp) for p in pipelines.matching_by_scan(message)]

    def by_index() -> object:
        return pipelines.evaluate(inp)

    return interleaved(by_scan, by_index, seconds)


def measure_generated(
    pipelines: PipelineSet, message: dict[str, Any], seconds: float
) -> tuple[float, float]:
    """(reference, generated) seconds per run of the pipelines that match (no matching)."""
    inp = EventInput(message)
    matched = pipelines.matching(message)
    if [p.run(inp) for p in matched] != [p.run_reference(inp) for p in matched]:
        raise SystemExit("the generated functions changed the result")

    def by_reference() -> object:
        return [p.run_reference(inp) for p in matched]

    def by_generated() -> object:
        return [p.run(inp) for p in matched]

    return interleaved(by_reference, by_generated, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--seconds", type=float, default=2.0, help="time per message kind")
    args = parser.parse_args()
    pipelines = load_presets()
    print(f"{len(pipelines)} presets")
    for label, message in MESSAGES.items():
        scan, indexed = measure(pipelines, message, args.seconds)
        reference, generated = measure_generated(pipelines, message, args.seconds)
        print(
            f"{label:16} scan {scan * 1e6:7.1f} µs  index {indexed * 1e6:7.1f} µs  "
            f"ratio index/scan {indexed / scan:5.2f} | run: reference {reference * 1e6:7.1f} µs"
            f"  generated {generated * 1e6:7.1f} µs  ratio generated/reference "
            f"{generated / reference:5.2f}"
        )


if __name__ == "__main__":
    main()
