"""The event loop `pinrelay serve` runs on: uvloop when it is installed (it comes with
uvicorn[standard]), else asyncio's own.

`uvicorn.run` would pick uvloop by itself, but pinrelay embeds its servers in one
`asyncio.run`, which always makes a stdlib loop. Measured with benchmarks/ingest.py: the
stdlib loop's transports and callbacks cost a visible share of CPU per request
(docs/performance.md).
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # uvicorn without [standard]: the stdlib loop works, only slower
        return None
    return uvloop.new_event_loop


# The cyclic garbage collector's thresholds for a serving process. The default (a young
# collection every 700 new container objects) runs one every few events on the ingest path,
# whose objects are nearly all freed by reference counting anyway; measured in process
# (benchmarks/ingest_inprocess.py) the defaults cost ~8% of the CPU per event.
GC_YOUNG_THRESHOLD = 20_000  # new container objects between young collections
GC_OLDER_THRESHOLDS = (50, 100)


def tune_collector() -> None:
    """Fewer garbage collections, and none that walk the objects made at start (modules,
    compiled pipelines, presets: `gc.freeze` takes them out of every later collection)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *GC_OLDER_THRESHOLDS)


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` on the fastest loop available.

    On the main thread this is a server process's own loop (`pinrelay serve`, its workers):
    the garbage collector is tuned for serving first. Tests run their loops elsewhere."""
    if threading.current_thread() is threading.main_thread():
        tune_collector()
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
