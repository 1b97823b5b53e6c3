"""The event loop `pinrelay serve` runs on: uvloop when it is installed (it comes with
uvicorn[standard]), else asyncio's own.

`uvicorn.run` would pick uvloop by itself, but pinrelay embeds its servers in one
`asyncio.run`, which always makes a stdlib loop. Measured with benchmarks/ingest.py: the
stdlib loop's transports and callbacks cost a visible share of CPU per request
(docs/performance.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # uvicorn without [standard]: the stdlib loop works, only slower
        return None
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` on the fastest loop available."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
