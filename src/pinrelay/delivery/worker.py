"""The delivery worker: one lane per integration, several batches in flight per lane.

Each integration is a lane (its own ad account, token and test flag) running as its own task,
so one failing or slow account never stalls another. A lane keeps up to
`inflight_batches` batches in flight; the store hands out never-tried events ahead of retries.
Every send first takes a token from its ad account's bucket (delivery/ratelimit.py), and a 429
closes that bucket until X-RateLimit-Reset.

Once a lane has drained its outbox (a claim came back short of a full batch), it lets new
events gather for `batch_wait_seconds` before the next claim: every commit wakes the lane, and
claiming at once sent batches of a few dozen events under load, each a whole HTTP call, claim
and outcome write (docs/performance.md). A backlog is claimed at once, full batch after full
batch.

A claim is a lease, not a transaction: no database transaction stays open across the HTTP call,
and a crashed worker's events come back when the lease ends (on SQLite, at the next start; on
PostgreSQL, to any worker once the lease in the row has expired).
Delivery is at-least-once; the event_id stays the same on every retry so Pinterest deduplicates.
How each answer is read: delivery/sending.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import structlog

from pinrelay.credentials import SecretBox
from pinrelay.delivery.retry import RetryPolicy
from pinrelay.delivery.sending import BatchSender
from pinrelay.errors import PinrelayError
from pinrelay.metrics import Metrics
from pinrelay.pinterest.client import PinterestClient
from pinrelay.pinterest.model import MAX_BATCH_EVENTS, MAX_TEST_BATCH_EVENTS
from pinrelay.store.base import Store
from pinrelay.store.records import ClaimedEvent, Integration

logger = structlog.get_logger(__name__)

RECLAIM_INTERVAL_SECONDS = 60.0


class DeliveryWorker:
    """Runs one task per active integration until stopped."""

    def __init__(
        self,
        store: Store,
        client: PinterestClient,
        secrets: SecretBox,
        *,
        retry: RetryPolicy,
        lease_seconds: float,
        poll_seconds: float,
        inflight_batches: int,
        batch_wait_seconds: float = 0.0,
        rate_limit_per_minute: float,
        retention_seconds: float | None = None,
        metrics: Metrics | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._secrets = secrets
        self._lease_seconds = lease_seconds
        self._poll_seconds = poll_seconds
        self._batch_wait_seconds = batch_wait_seconds
        self._inflight = inflight_batches
        self._retention_seconds = retention_seconds
        self._clock = clock
        self.metrics = metrics or Metrics()
        self._limits = store.send_limits(rate_limit_per_minute)  # shared by all workers
        self._stopping = False
        self._stopped = asyncio.Event()  # ends a lane's batch wait and limit waits early
        self._sender = BatchSender(
            store,
            client,
            retry=retry,
            limits=self._limits,
            metrics=self.metrics,
            clock=clock,
            stopped=self._stopped,
        )
        self._wakeup = asyncio.Event()
        self._lane_wakeups: dict[str, asyncio.Event] = {}
        self._lanes: dict[str, asyncio.Task[None]] = {}
        self._last_reclaim = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None  # where run() runs
        self._wake_scheduled = False

    def wake(self) -> None:
        """New events were committed: look for work now instead of at the next poll.

        Safe from any thread: the collect loop commits on its own thread while the worker runs
        on the control loop (app.py), and an asyncio.Event may only be set from its own loop.
        A wake already on its way makes another one unnecessary."""
        loop = self._loop
        if loop is None or _running_loop() is loop:
            self._wake_here()
        elif not self._wake_scheduled:
            self._wake_scheduled = True
            with contextlib.suppress(RuntimeError):  # the loop closed: nothing to wake
                loop.call_soon_threadsafe(self._wake_here)

    def _wake_here(self) -> None:
        self._wake_scheduled = False
        if self._stopping:
            self._stopped.set()
        self._wakeup.set()
        for event in tuple(self._lane_wakeups.values()):
            event.set()

    def stop(self) -> None:
        self._stopping = True
        self.wake()

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        logger.info("delivery worker started", action="delivery.started")
        try:
            while not self._stopping:
                self._wakeup.clear()
                self._start_lanes()
                await self._reclaim_if_due()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self._poll_seconds)
        finally:
            await asyncio.gather(*self._lanes.values(), return_exceptions=True)
            self._loop = None
        logger.info("delivery worker stopped", action="delivery.stopped")

    async def run_once(self) -> int:
        """One round over all active lanes (tests): up to `inflight_batches` batches each."""
        lanes = [i for i in self._store.list_integrations() if i.active]
        handled = await asyncio.gather(*(self._lane_round(lane) for lane in lanes))
        return sum(handled)

    async def _lane_round(self, integration: Integration) -> int:
        batches: list[list[ClaimedEvent]] = []
        for _ in range(self._inflight):
            batch = await self._claim(integration)
            if not batch:
                break
            batches.append(batch)
        await asyncio.gather(*(self._deliver(integration, b) for b in batches))
        return sum(len(b) for b in batches)

    def _start_lanes(self) -> None:
        for integration in self._store.list_integrations():
            task = self._lanes.get(integration.id)
            if integration.active and (task is None or task.done()):
                self._lanes[integration.id] = asyncio.create_task(
                    self._lane_loop(integration.id), name=f"lane-{integration.id}"
                )

    async def _lane_loop(self, integration_id: str) -> None:
        """Claim and send batches of one integration until it is paused, removed or stopped."""
        slots = asyncio.Semaphore(self._inflight)
        running: set[asyncio.Task[None]] = set()
        wakeup = self._lane_wakeups.setdefault(integration_id, asyncio.Event())
        drained = False  # a lane starts with a claim: a backlog goes out at once
        try:
            while not self._stopping:
                integration = self._store.get_integration(integration_id)
                if integration is None or not integration.active:
                    return
                await slots.acquire()
                await self._wait_for_room(integration)
                if drained:
                    await self._gather_batch()
                # Read again: while this lane waited for a slot, room or a fuller batch, a
                # batch in flight may have paused it (a 401), or an admin changed or removed it.
                integration = self._store.get_integration(integration_id)
                if self._stopping or integration is None or not integration.active:
                    slots.release()
                    return
                wakeup.clear()  # before the claim: a commit after it wakes us again
                batch = await self._claim(integration)
                drained = len(batch) < batch_limit(integration)
                if not batch:
                    slots.release()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wakeup.wait(), self._poll_seconds)
                    continue
                task = asyncio.create_task(self._deliver(integration, batch))
                running.add(task)
                task.add_done_callback(running.discard)
                task.add_done_callback(lambda _: slots.release())
        finally:
            await asyncio.gather(*running, return_exceptions=True)

    async def _wait_for_room(self, integration: Integration) -> None:
        """Claim only once the ad account's bucket lets a request go (e.g. after a 429), so
        leases are not spent waiting; in steps, so a stop is not held up."""
        account = integration.ad_account_id
        while not self._stopping and (wait := await self._limits.wait_seconds(account)) > 0:  # noqa: ASYNC110  # a clock
            await asyncio.sleep(min(wait, self._poll_seconds))

    async def _gather_batch(self) -> None:
        """Let the events of the next commits join the next batch (a stop ends the wait)."""
        if self._batch_wait_seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), self._batch_wait_seconds)

    async def _claim(self, integration: Integration) -> list[ClaimedEvent]:
        try:
            return await self._store.claim_batch(
                integration.id,
                limit=batch_limit(integration),
                now=self._clock(),
                lease_seconds=self._lease_seconds,
            )
        except PinrelayError as exc:
            logger.error("claim failed", action="delivery.claim_failed", error=str(exc))
            return []

    async def _deliver(self, integration: Integration, batch: list[ClaimedEvent]) -> None:
        try:
            await self._sender.deliver(integration, self._secrets, batch)
        except PinrelayError as exc:  # its leases expire and the events come back
            logger.error(
                "delivery failed",
                action="delivery.batch_failed",
                error=str(exc),
                integration=integration.id,
            )

    async def _reclaim_if_due(self) -> None:
        """Delete delivered entries older than the retention, a chunk at a time."""
        now = self._clock()
        if self._retention_seconds is None or now - self._last_reclaim < RECLAIM_INTERVAL_SECONDS:
            return
        self._last_reclaim = now
        try:
            while await self._store.reclaim_delivered(before=now - self._retention_seconds):
                if self._stopping:
                    return
        except PinrelayError as exc:
            logger.error("reclaim failed", action="delivery.reclaim_failed", error=str(exc))


def batch_limit(integration: Integration) -> int:
    """Events per batch: up to 1000, 20 in test mode (pinterest-capi.md §2)."""
    return MAX_TEST_BATCH_EVENTS if integration.test_mode else MAX_BATCH_EVENTS


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # called from a thread without a loop
        return None
