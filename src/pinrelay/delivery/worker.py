"""The delivery worker: claims due outbox rows per integration and sends them to Pinterest.

Each integration is a lane (its own ad account and token), so one failing account never
stalls another. A claim is a lease, not a transaction: no database transaction stays open
across the HTTP call, and a crashed worker's rows come back when the lease ends (on SQLite,
at the next start). Delivery is at-least-once; the event_id stays the same on every retry so
Pinterest deduplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence

import structlog

from pinrelay.credentials import SecretBox
from pinrelay.delivery.retry import RetryPolicy
from pinrelay.errors import (
    IntegrationConfigError,
    PermanentDeliveryError,
    PinrelayError,
    TransientDeliveryError,
)
from pinrelay.pinterest.client import PinterestClient
from pinrelay.pinterest.model import MAX_BATCH_EVENTS, MAX_EVENT_AGE_SECONDS, MAX_TEST_BATCH_EVENTS
from pinrelay.store.base import Store
from pinrelay.store.records import ClaimedEvent, DeliveryAttempt, EventOutcome, Integration

logger = structlog.get_logger(__name__)


class DeliveryWorker:
    """Sends every active integration's due events, batch by batch, until stopped."""

    def __init__(
        self,
        store: Store,
        client: PinterestClient,
        secrets: SecretBox,
        *,
        retry: RetryPolicy,
        lease_seconds: float,
        poll_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._client = client
        self._secrets = secrets
        self._retry = retry
        self._lease_seconds = lease_seconds
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._wakeup = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """New events were committed: look for work now instead of at the next poll."""
        self._wakeup.set()

    def stop(self) -> None:
        self._stopping = True
        self._wakeup.set()

    async def run(self) -> None:
        logger.info("delivery worker started", action="delivery.started")
        while not self._stopping:
            try:
                sent = await self.run_once()
            except PinrelayError as exc:
                logger.error(
                    "delivery round failed", action="delivery.round_failed", error=str(exc)
                )
                sent = 0
            if sent == 0 and not self._stopping:
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self._poll_seconds)
        logger.info("delivery worker stopped", action="delivery.stopped")

    async def run_once(self) -> int:
        """One round over all active lanes; returns how many events were handled."""
        lanes = [i for i in self._store.list_integrations() if i.active]
        handled = await asyncio.gather(*(self._deliver_lane(lane) for lane in lanes))
        return sum(handled)

    async def _deliver_lane(self, integration: Integration) -> int:
        limit = MAX_TEST_BATCH_EVENTS if integration.test_mode else MAX_BATCH_EVENTS
        now = self._clock()
        claimed = await self._store.claim_batch(
            integration.id, limit=limit, now=now, lease_seconds=self._lease_seconds
        )
        if not claimed:
            return 0
        too_old = [c for c in claimed if now - c.event_time > MAX_EVENT_AGE_SECONDS]
        if too_old:
            # pinterest-capi.md section 5.3: Pinterest refuses events older than 7 days.
            await self._store.record_outcomes(
                [
                    EventOutcome(
                        c.seq,
                        "dead",
                        "event_time is more than 7 days old: Pinterest only accepts "
                        "events of the last 7 days",
                        attempted=False,
                    )
                    for c in too_old
                ],
                None,
            )
        fresh = [c for c in claimed if now - c.event_time <= MAX_EVENT_AGE_SECONDS]
        if fresh:
            token = self._secrets.decrypt(integration.conversion_token_enc)
            await self._send(integration, token, fresh)
        return len(claimed)

    async def _send(
        self, integration: Integration, token: str, events: Sequence[ClaimedEvent]
    ) -> None:
        started = self._clock()
        try:
            result = await self._client.send_batch(
                ad_account_id=integration.ad_account_id,
                conversion_token=token,
                events=[e.payload for e in events],
                test=integration.test_mode,
            )
        except IntegrationConfigError as exc:
            await self._pause(integration, events, exc, started)
        except PermanentDeliveryError as exc:
            if len(events) > 1:
                # One bad event makes Pinterest refuse the whole batch (400): halve the batch
                # until the bad events are alone, so the good ones are still delivered.
                await self._record(integration, events, [], started, exc, "split")
                middle = len(events) // 2
                await self._send(integration, token, events[:middle])
                await self._send(integration, token, events[middle:])
            else:
                outcomes = [
                    EventOutcome(e.seq, "dead", f"Pinterest refused the event: {exc}")
                    for e in events
                ]
                await self._record(integration, events, outcomes, started, exc, "failed")
        except TransientDeliveryError as exc:
            outcomes = [self._retry_or_give_up(e, exc) for e in events]
            await self._record(integration, events, outcomes, started, exc, "retry")
        else:
            outcomes = []
            for event, status in zip(events, result.events, strict=True):
                if status.status == "processed":
                    outcomes.append(EventOutcome(event.seq, "delivered", status.warning_message))
                else:
                    outcomes.append(
                        EventOutcome(
                            event.seq,
                            "dead",
                            status.error_message or "Pinterest marked the event failed",
                        )
                    )
            failed = sum(1 for o in outcomes if o.status == "dead")
            outcome = (
                "delivered" if failed == 0 else "partial" if failed < len(events) else "failed"
            )
            message = f"{failed} of {len(events)} events failed" if failed else None
            attempt = DeliveryAttempt(
                integration.id,
                started,
                result.latency_seconds * 1000,
                len(events),
                result.http_status,
                outcome,
                message,
                integration.test_mode,
            )
            await self._store.record_outcomes(outcomes, attempt)
            logger.info(
                "batch sent",
                action="delivery.batch_sent",
                integration=integration.id,
                events=len(events),
                failed=failed,
                status=result.http_status,
            )

    def _retry_or_give_up(self, event: ClaimedEvent, exc: TransientDeliveryError) -> EventOutcome:
        attempts = event.attempts + 1
        if self._retry.gives_up(attempts, self._clock() - event.created_at):
            return EventOutcome(event.seq, "dead", f"gave up after {attempts} attempts: {exc}")
        delay = self._retry.delay_seconds(attempts, retry_after_seconds=exc.retry_after_seconds)
        return EventOutcome(event.seq, "retry", str(exc), next_attempt_at=self._clock() + delay)

    async def _pause(
        self,
        integration: Integration,
        events: Sequence[ClaimedEvent],
        exc: IntegrationConfigError,
        started: float,
    ) -> None:
        """A rejected token or account: park the lane; its events wait, none is dead-lettered."""
        reason = str(exc)
        await self._store.pause_integration(integration.id, reason)
        outcomes = [EventOutcome(e.seq, "release", reason, attempted=False) for e in events]
        await self._record(integration, events, outcomes, started, exc, "paused")
        logger.warning(
            "integration paused",
            action="delivery.paused",
            integration=integration.id,
            reason=reason,
        )

    async def _record(
        self,
        integration: Integration,
        events: Sequence[ClaimedEvent],
        outcomes: Sequence[EventOutcome],
        started: float,
        exc: Exception,
        outcome: str,
    ) -> None:
        attempt = DeliveryAttempt(
            integration.id,
            started,
            (self._clock() - started) * 1000,
            len(events),
            getattr(exc, "http_status", None),
            outcome,
            str(exc),
            integration.test_mode,
        )
        await self._store.record_outcomes(outcomes, attempt)
