"""What one claimed batch becomes: every Pinterest answer read per event (pinterest-capi.md §4).

200 / 422 with details   per event, in request order: processed -> delivered (warning
                         kept), failed -> dead with Pinterest's error_message
400 for the whole batch  halve the batch until the bad events are alone; they are dead,
                         the rest is delivered
401 / 403 / 404          pause the integration; its events wait (nothing dead-lettered)
429                      close the ad account's bucket until X-RateLimit-Reset; retry
5xx, timeout, network    retry with capped exponential backoff and full jitter, until the
                         retry budget (N attempts AND a time window) is spent; the lane
                         itself backs off too, longer with each such batch in a row
event_time > 7 days      dead without a send (Pinterest refuses them, §5.3)
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
    ConfigError,
    IntegrationConfigError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from pinrelay.metrics import Metrics
from pinrelay.pinterest.client import PinterestClient
from pinrelay.pinterest.model import MAX_EVENT_AGE_SECONDS
from pinrelay.pinterest.outcome import BatchResult
from pinrelay.store.base import SendLimits, Store
from pinrelay.store.records import ClaimedEvent, DeliveryAttempt, EventOutcome, Integration

logger = structlog.get_logger(__name__)

TOO_OLD_REASON = (
    "event_time is more than 7 days old: Pinterest only accepts events of the last 7 days"
)


class BatchSender:
    """Sends one claimed batch and records what became of each of its events."""

    def __init__(
        self,
        store: Store,
        client: PinterestClient,
        *,
        retry: RetryPolicy,
        limits: SendLimits,
        metrics: Metrics,
        clock: Callable[[], float] = time.time,
        stopped: asyncio.Event | None = None,
    ) -> None:
        """`stopped`: set when the worker stops; a batch still waiting for its ad account's
        limit (a backoff can last minutes) then gives its events back instead of waiting."""
        self._store = store
        self._stopped = stopped if stopped is not None else asyncio.Event()
        self._client = client
        self._retry = retry
        self._limits = limits
        self._metrics = metrics
        self._clock = clock
        # ad account -> whole batches that failed in a row (5xx, timeout, network): while
        # Pinterest is down or unreachable, the lane waits between batches instead of trying
        # (and writing an attempt for) every batch the outbox holds.
        self._failures_in_a_row: dict[str, int] = {}

    async def deliver(
        self, integration: Integration, secrets: SecretBox, claimed: Sequence[ClaimedEvent]
    ) -> None:
        now = self._clock()
        too_old = [c for c in claimed if now - c.event_time > MAX_EVENT_AGE_SECONDS]
        if too_old:
            # pinterest-capi.md section 5.3: Pinterest refuses events older than 7 days.
            await self._store.record_outcomes(
                [EventOutcome(c.seq, "dead", TOO_OLD_REASON, attempted=False) for c in too_old],
                None,
            )
            self._metrics.dead.labels(integration.id, "too_old").inc(len(too_old))
        fresh = [c for c in claimed if now - c.event_time <= MAX_EVENT_AGE_SECONDS]
        if fresh:
            try:
                token = secrets.decrypt(integration.conversion_token_enc)
            except ConfigError as exc:
                await self._pause_unreadable(integration, fresh, str(exc))
                return
            await self._send(integration, token, fresh)

    async def _pause_unreadable(
        self, integration: Integration, events: Sequence[ClaimedEvent], reason: str
    ) -> None:
        """The token cannot be decrypted (the key changed while running): pause with that
        reason, so the UI and the paused alert say what to restore; the events wait."""
        await self._store.pause_integration(integration.id, reason)
        outcomes = [EventOutcome(e.seq, "release", reason, attempted=False) for e in events]
        await self._store.record_outcomes(outcomes, None)
        self._metrics.paused.labels(integration.id).inc(len(events))
        logger.error(
            "integration paused: token unreadable",
            action="delivery.token_unreadable",
            integration=integration.id,
        )

    async def _room_or_stop(self, account: str) -> bool:
        """Take the ad account's token once its limit lets a request go; False if the
        worker stops first."""
        while (wait := await self._limits.wait_seconds(account)) > 0:
            if self._stopped.is_set():
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), wait)
        await self._limits.acquire(account)  # at once, or after another lane's request
        return True

    async def _send(
        self, integration: Integration, token: str, events: Sequence[ClaimedEvent]
    ) -> None:
        if not await self._room_or_stop(integration.ad_account_id):
            # untouched, due at once: after a restart they go first (on PostgreSQL another
            # worker may take them now, not when their lease ends)
            outcomes = [EventOutcome(e.seq, "release", None, attempted=False) for e in events]
            await self._store.record_outcomes(outcomes, None)
            return
        started = self._clock()
        try:
            result = await self._client.send_batch(
                ad_account_id=integration.ad_account_id,
                conversion_token=token,
                events=[e.payload for e in events],
                test=integration.test_mode,
            )
        except IntegrationConfigError as exc:
            self._count_attempt(integration, exc.http_status, self._clock() - started)
            await self._pause(integration, events, exc, started)
        except PermanentDeliveryError as exc:
            self._count_attempt(integration, exc.http_status, self._clock() - started)
            if len(events) > 1:
                # One bad event makes Pinterest refuse the whole batch (400): halve the batch
                # until the bad events are alone, so the good ones are still delivered.
                await self._record(integration, events, [], started, exc, "split")
                middle = len(events) // 2
                await self._send(integration, token, events[:middle])
                await self._send(integration, token, events[middle:])
            else:
                reason = f"Pinterest refused the event: {exc}"
                outcomes = [EventOutcome(e.seq, "dead", reason) for e in events]
                await self._record(integration, events, outcomes, started, exc, "failed")
                self._metrics.dead.labels(integration.id, "refused").inc(len(events))
        except TransientDeliveryError as exc:
            self._count_attempt(integration, exc.http_status, self._clock() - started)
            if exc.http_status == 429:
                # pinterest-capi.md §4.4: wait for X-RateLimit-Reset, or back off if absent.
                wait = exc.retry_after_seconds
                if wait is None:
                    wait = self._retry.delay_seconds(max(e.attempts for e in events) + 1)
                await self._limits.close_for(integration.ad_account_id, wait)
            else:
                await self._hold_back(integration, exc)
            outcomes = [self._retry_or_give_up(e, exc) for e in events]
            await self._record(integration, events, outcomes, started, exc, "retry")
            gave_up = sum(1 for o in outcomes if o.status == "dead")
            if gave_up:
                self._metrics.dead.labels(integration.id, "retries_exhausted").inc(gave_up)
            self._metrics.retried.labels(integration.id).inc(len(outcomes) - gave_up)
        else:
            self._failures_in_a_row.pop(integration.ad_account_id, None)
            self._count_attempt(integration, result.http_status, result.latency_seconds)
            await self._record_result(integration, events, result, started)

    async def _hold_back(self, integration: Integration, exc: TransientDeliveryError) -> None:
        """A whole batch failed for a reason of Pinterest's side or the network's: close the
        ad account's lane for a backoff that grows with each failure in a row (the retry
        policy's, with its jitter), and opens again at the first answer."""
        account = integration.ad_account_id
        failures = self._failures_in_a_row.get(account, 0) + 1
        self._failures_in_a_row[account] = failures
        wait = self._retry.delay_seconds(failures)
        await self._limits.close_for(account, wait)
        if failures == 1:
            logger.warning(
                "Pinterest failed a whole batch; the lane backs off until it answers again",
                action="delivery.backing_off",
                integration=integration.id,
                error=str(exc),
            )

    async def _record_result(
        self,
        integration: Integration,
        events: Sequence[ClaimedEvent],
        result: BatchResult,
        started: float,
    ) -> None:
        """200, or 422 with details: each event's own status, in request order."""
        outcomes = [
            EventOutcome(event.seq, "delivered", status.warning_message)
            if status.status == "processed"
            else EventOutcome(
                event.seq, "dead", status.error_message or "Pinterest marked the event failed"
            )
            for event, status in zip(events, result.events, strict=True)
        ]
        failed = result.failed_count
        outcome = "delivered" if failed == 0 else "partial" if failed < len(events) else "failed"
        attempt = DeliveryAttempt(
            integration.id,
            started,
            result.latency_seconds * 1000,
            len(events),
            result.http_status,
            outcome,
            f"{failed} of {len(events)} events failed" if failed else None,
            integration.test_mode,
        )
        await self._store.record_outcomes(outcomes, attempt)
        self._metrics.delivered.labels(integration.id).inc(len(events) - failed)
        if failed:
            self._metrics.failed.labels(integration.id).inc(failed)
            self._metrics.dead.labels(integration.id, "failed_by_pinterest").inc(failed)
        logger.debug(
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
        self._metrics.paused.labels(integration.id).inc(len(events))
        logger.warning(
            "integration paused",
            action="delivery.paused",
            integration=integration.id,
            reason=reason,
        )

    def _count_attempt(
        self, integration: Integration, http_status: int | None, seconds: float
    ) -> None:
        status = "none" if http_status is None else str(http_status)
        self._metrics.attempts.labels(integration.id, status).inc()
        self._metrics.latency.labels(integration.id).observe(seconds)

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
