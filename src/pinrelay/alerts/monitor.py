"""The alert monitor: every minute, a snapshot of the store, the rules, and a webhook call
for alerts that start or end (so a chat channel hears about a change once, not every minute)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict

import httpx
import structlog

from pinrelay.alerts.rules import (
    Alert,
    AlertThresholds,
    IntegrationSnapshot,
    Snapshot,
    SourceSnapshot,
    evaluate,
)
from pinrelay.errors import PinrelayError
from pinrelay.store.base import Store
from pinrelay.store.records import EventFilter

logger = structlog.get_logger(__name__)

ATTEMPT_WINDOW_SECONDS = 900.0  # the error rate looks at the last 15 minutes of sends
ATTEMPTS_LOOKED_AT = 500  # at most this many recent attempts per integration
WEBHOOK_TIMEOUT_SECONDS = 10.0
NOT_DELIVERED = frozenset({"retry", "failed", "paused", "split", "partial"})


class AlertMonitor:
    """Evaluates the rules on a timer; `current` is what the admin API shows."""

    def __init__(
        self,
        store: Store,
        *,
        thresholds: AlertThresholds,
        interval_seconds: float,
        webhook_url: str | None,
        clock: Callable[[], float] = time.time,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._store = store
        self._thresholds = thresholds
        self._interval_seconds = interval_seconds
        self._webhook_url = webhook_url
        self._clock = clock
        self._http = httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_SECONDS, transport=transport)
        self._dead_seen: dict[str, int] = {}
        self._unsent: list[dict[str, object]] = []
        self._stop = asyncio.Event()
        self.current: list[Alert] = []
        self.evaluated_at: float | None = None

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    await self.check()
                except PinrelayError as exc:
                    logger.error("alert check failed", action="alerts.failed", error=str(exc))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self._interval_seconds)
        finally:
            await self._http.aclose()

    async def check(self) -> list[Alert]:
        """Evaluate once; notify the webhook of alerts that started or ended."""
        snapshot = await self.snapshot()
        alerts = evaluate(snapshot, self._thresholds)
        self._dead_seen = {i.id: i.dead_total for i in snapshot.integrations}
        before = {a.key for a in self.current}
        after = {a.key for a in alerts}
        started = [a for a in alerts if a.key not in before]
        ended = [a for a in self.current if a.key not in after]
        self.current, self.evaluated_at = alerts, self._clock()
        for alert in started:
            logger.warning("alert", action="alerts.started", rule=alert.rule, target=alert.target)
        if started or ended:
            self._unsent.append(
                {
                    "at": self.evaluated_at,
                    "started": [asdict(a) for a in started],
                    "ended": [asdict(a) for a in ended],
                }
            )
        await self._notify()
        return alerts

    async def snapshot(self) -> Snapshot:
        now = self._clock()
        integrations = []
        for integration in self._store.list_integrations():
            recent = [
                a
                for a in await self._store.list_attempts(integration.id, limit=ATTEMPTS_LOOKED_AT)
                if a.started_at >= now - ATTEMPT_WINDOW_SECONDS
            ]
            oldest = await self._store.oldest_pending_created_at(integration.id)
            integrations.append(
                IntegrationSnapshot(
                    id=integration.id,
                    name=integration.name,
                    paused_reason=integration.paused_reason if integration.enabled else None,
                    attempts=len(recent),
                    failed_attempts=sum(1 for a in recent if a.outcome in NOT_DELIVERED),
                    dead_total=(await self._store.outbox_counts(integration.id)).get("dead", 0),
                    oldest_pending_age_seconds=None if oldest is None else now - oldest,
                )
            )
        sources = []
        for source in self._store.list_sources():
            latest = await self._store.list_events(
                filters=EventFilter(source_id=source.id), limit=1, before=None
            )
            sources.append(
                SourceSnapshot(
                    source.id, source.name, now - latest[0].received_at if latest else None
                )
            )
        # The first check of a process takes what is already dead as known (it was news
        # before the restart); from then on every new dead letter counts, even for an
        # integration created between two checks.
        dead_before = (
            {i.id: i.dead_total for i in integrations}
            if self.evaluated_at is None
            else dict(self._dead_seen)
        )
        return Snapshot(integrations, sources, dead_before)

    async def _notify(self) -> None:
        if not self._webhook_url:
            self._unsent.clear()
            return
        while self._unsent:
            try:
                response = await self._http.post(self._webhook_url, json=self._unsent[0])
                response.raise_for_status()
            except httpx.HTTPError as exc:  # kept, and sent again at the next check
                logger.warning(
                    "alert webhook failed", action="alerts.webhook_failed", error=type(exc).__name__
                )
                return
            self._unsent.pop(0)
