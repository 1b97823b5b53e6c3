"""Prometheus metrics of one pinrelay process (served at `/metrics` on the admin port).

Each Gateway owns its own CollectorRegistry (not the global one), so several gateways in one
process (tests) never collide. Labels carry integration ids and HTTP statuses only: never a
token, a write key or an ad account's secret. Counts the store already keeps (events received,
queue depth) are read when scraped, so the hot paths pay nothing for them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from pinrelay.store.records import LaneStats

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _StoreCollector(Collector):
    """Counts the store keeps in memory, read at scrape time."""

    def __init__(
        self,
        counts: Callable[[], tuple[int, int]],
        lanes: Callable[[], list[LaneStats]],
        paused: Callable[[], list[str]],
        clock: Callable[[], float],
    ) -> None:
        self._counts = counts
        self._lanes = lanes
        self._paused = paused
        self._clock = clock

    def collect(self) -> Iterable[Metric]:
        received, queued = self._counts()
        yield CounterMetricFamily(
            "pinrelay_events_received", "New events committed by collect", value=received
        )
        yield CounterMetricFamily(
            "pinrelay_events_queued", "Outbox entries committed for delivery", value=queued
        )
        depth = GaugeMetricFamily(
            "pinrelay_queue_depth", "Pending events per integration", labels=["integration_id"]
        )
        age = GaugeMetricFamily(
            "pinrelay_oldest_pending_age_seconds",
            "Age of the longest-waiting pending event per integration",
            labels=["integration_id"],
        )
        now = self._clock()
        for lane in self._lanes():
            depth.add_metric([lane.integration_id], lane.pending)
            oldest = lane.oldest_queued_at
            age.add_metric([lane.integration_id], 0.0 if oldest is None else now - oldest)
        yield depth
        yield age
        paused = GaugeMetricFamily(
            "pinrelay_integration_paused",
            "1 while an integration is paused by a config error",
            labels=["integration_id"],
        )
        for integration_id in self._paused():
            paused.add_metric([integration_id], 1)
        yield paused


class _PoolCollector(Collector):
    """The big-batch mapping workers (collect/mappingpool.py), read at scrape time."""

    def __init__(self, up: Callable[[], int], mapped: Callable[[], int]) -> None:
        self._up = up
        self._mapped = mapped

    def collect(self) -> Iterable[Metric]:
        yield GaugeMetricFamily(
            "pinrelay_batch_workers_up",
            "Mapping workers taking big collect requests (0 until they start, or once broken)",
            value=self._up(),
        )
        yield CounterMetricFamily(
            "pinrelay_batch_events_mapped",
            "Events of big collect requests mapped in the workers",
            value=self._mapped(),
        )


class Metrics:
    """The counters and histograms the delivery worker updates, on a private registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.delivered = Counter(
            "pinrelay_events_delivered",
            "Events Pinterest processed",
            ["integration_id"],
            registry=self.registry,
        )
        self.failed = Counter(
            "pinrelay_events_failed",
            "Events Pinterest marked failed (they are dead-lettered)",
            ["integration_id"],
            registry=self.registry,
        )
        self.dead = Counter(
            "pinrelay_events_dead",
            "Events dead-lettered, by cause",
            ["integration_id", "cause"],
            registry=self.registry,
        )
        self.retried = Counter(
            "pinrelay_events_retried",
            "Events scheduled for another attempt",
            ["integration_id"],
            registry=self.registry,
        )
        self.paused = Counter(
            "pinrelay_events_paused",
            "Events released unsent because their integration was paused",
            ["integration_id"],
            registry=self.registry,
        )
        self.attempts = Counter(
            "pinrelay_delivery_attempts",
            "HTTP calls to Pinterest by status ('none' when nothing came back)",
            ["integration_id", "http_status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "pinrelay_delivery_latency_seconds",
            "Duration of one HTTP call to Pinterest",
            ["integration_id"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def watch_store(
        self,
        counts: Callable[[], tuple[int, int]],
        lanes: Callable[[], list[LaneStats]],
        paused: Callable[[], list[str]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry.register(_StoreCollector(counts, lanes, paused, clock))

    def watch_batch_workers(self, up: Callable[[], int], mapped: Callable[[], int]) -> None:
        self.registry.register(_PoolCollector(up, mapped))

    def render(self) -> bytes:
        return generate_latest(self.registry)
