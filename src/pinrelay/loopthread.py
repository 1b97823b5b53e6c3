"""An event loop on a thread of its own, started, watched and stopped from another loop.

`pinrelay serve` on SQLite runs collect on the main loop and everything that operates pinrelay
(admin API and UI, delivery worker, alerts, retention, imports) on a loop in a second thread
(app.py). One event loop cannot be fair: a 4 MB batch is seconds of Python that no other
request on that loop can interrupt. Two threads can: the interpreter hands the GIL to a
waiting thread every switch interval (5 ms), so an admin request waits milliseconds behind a
flood of collect traffic, not seconds, and delivery keeps draining the outbox while collect is
saturated (issue 13, item 7).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from pinrelay import eventloop

# main(stop, started): serve until `stop` is set; call `started()` once ready for traffic.
LoopMain = Callable[[asyncio.Event, Callable[[], None]], Coroutine[Any, Any, None]]


class LoopThread:
    """Runs `main` on a new thread with its own (uv)loop; every method is for the caller's loop."""

    def __init__(self, name: str, main: LoopMain) -> None:
        self._main = main
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._stop_requested = False
        self._lock = threading.Lock()  # orders stop() against the loop coming up
        self._started: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._finished: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    async def wait_started(self) -> None:
        """Return once `main` is ready; raise what it raised if it failed before that."""
        await asyncio.wrap_future(self._started)

    def finished(self) -> asyncio.Future[None]:
        """Done when the thread's `main` has returned (or raised: the future holds the error)."""
        return asyncio.wrap_future(self._finished)

    def stop(self) -> None:
        """Ask `main` to stop (safe from any thread, before or after it started)."""
        with self._lock:
            self._stop_requested = True
            loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # its loop closed: nothing left to stop
                loop.call_soon_threadsafe(stop.set)

    async def join(self) -> None:
        """Wait for `main` to return; raise what it raised."""
        await asyncio.wrap_future(self._finished)

    def _run(self) -> None:
        try:
            eventloop.run(self._body())
        except BaseException as exc:  # handed to the caller's loop, raised there
            if not self._started.done():
                self._started.set_exception(exc)
            self._finished.set_exception(exc)
        else:
            if not self._started.done():  # stopped before it was ready
                self._started.set_result(None)
            self._finished.set_result(None)

    async def _body(self) -> None:
        stop = asyncio.Event()
        with self._lock:
            self._loop, self._stop = asyncio.get_running_loop(), stop
            if self._stop_requested:
                stop.set()
        await self._main(stop, self._set_started)

    def _set_started(self) -> None:
        if not self._started.done():
            self._started.set_result(None)
