"""One pinrelay process: collect server + admin API + delivery worker around one store.

Both HTTP servers and the worker share one event loop. Stopping (SIGTERM/SIGINT) drains in
order: the servers stop accepting and finish their requests (each waits for its commit), the
worker finishes the batch it is sending, then the store commits what is queued and closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from typing import Any

import structlog
import uvicorn

from pinrelay.admin.app import build_admin_app
from pinrelay.alerts.monitor import AlertMonitor
from pinrelay.alerts.rules import AlertThresholds
from pinrelay.collect.app import CollectApp
from pinrelay.collect.ingest import Ingestor
from pinrelay.collect.network import parse_networks
from pinrelay.credentials import SecretBox, load_secret_box
from pinrelay.delivery.retry import RetryPolicy
from pinrelay.delivery.worker import DeliveryWorker
from pinrelay.errors import ConfigError
from pinrelay.metrics import Metrics
from pinrelay.offline.jobs import ImportJobs
from pinrelay.pinterest.client import PinterestClient
from pinrelay.pipeline.serving import pipeline_registry, watch_pipelines
from pinrelay.settings import Settings
from pinrelay.store.retention import RetentionTask
from pinrelay.store.sqlite.store import SQLiteStore

logger = structlog.get_logger(__name__)

WORKER_DRAIN_SECONDS = 30.0  # how long a stop waits for the batch in flight


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process that embeds it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def http_server(app: Any, host: str, port: int) -> _EmbeddedServer:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
        lifespan="off",
        server_header=False,
        # who is a trusted proxy is our setting (collect/network.py), not uvicorn's default
        # of believing X-Forwarded-* from 127.0.0.1
        proxy_headers=False,
    )
    return _EmbeddedServer(config)


class Gateway:
    """The store, the two HTTP apps and the worker, started and stopped together."""

    def __init__(self, settings: Settings) -> None:
        if settings.admin_token is None or not settings.admin_token.get_secret_value():
            raise ConfigError(
                "PINRELAY_ADMIN_TOKEN is not set: the admin API refuses to start "
                "without a bearer token (e.g. export PINRELAY_ADMIN_TOKEN=$(python "
                "-c 'import secrets; print(secrets.token_urlsafe(32))'))"
            )
        self.settings = settings
        self.store = SQLiteStore(
            settings.sqlite_path(), group_commit_max_items=settings.group_commit_max_items
        )
        self.secrets: SecretBox = load_secret_box(
            settings.secret_key.get_secret_value() if settings.secret_key else None,
            settings.secret_key_file,
        )
        self.client = PinterestClient(
            settings.pinterest_api_url, timeout_seconds=settings.pinterest_timeout_seconds
        )
        self.metrics = Metrics()
        self.metrics.watch_store(
            lambda: (self.store.received_events, self.store.queued_events),
            self.store.lane_stats,
            lambda: [i.id for i in self.store.list_integrations() if i.paused_reason],
        )
        self.worker = DeliveryWorker(
            self.store,
            self.client,
            self.secrets,
            retry=RetryPolicy(
                settings.delivery_backoff_base_seconds,
                settings.delivery_backoff_max_seconds,
                settings.delivery_max_attempts,
                settings.delivery_retry_window_seconds,
            ),
            lease_seconds=settings.delivery_lease_seconds,
            poll_seconds=settings.delivery_poll_seconds,
            inflight_batches=settings.delivery_inflight_batches,
            rate_limit_per_minute=settings.delivery_rate_limit_per_minute,
            retention_seconds=settings.delivery_retention_seconds,
            metrics=self.metrics,
        )
        self.alerts = AlertMonitor(
            self.store,
            thresholds=AlertThresholds(
                error_rate=settings.alert_error_rate,
                zero_traffic_seconds=settings.alert_zero_traffic_seconds,
                pending_age_seconds=settings.alert_pending_age_seconds,
            ),
            interval_seconds=settings.alert_interval_seconds,
            webhook_url=settings.alert_webhook_url,
        )
        self.pipelines = pipeline_registry(settings, self.store)  # issue 5
        ingestor = Ingestor(
            self.store, on_commit=self.worker.wake, pipelines=self.pipelines.pipelines_for
        )
        collect = CollectApp(
            self.store, ingestor, trusted_proxies=parse_networks(settings.trusted_proxies)
        )
        self.collect_server = http_server(collect.build(), settings.host, settings.port)
        admin = build_admin_app(
            self.store,
            self.secrets,
            admin_token=settings.admin_token.get_secret_value(),
            pinterest=self.client,
            alerts=self.alerts,
        )
        self.imports = ImportJobs(  # issue 15: offline conversions, run by this process
            self.store, ingestor, settings.import_directory(), max_bytes=settings.import_max_bytes
        )
        admin.state.imports = self.imports
        admin.state.pipeline_registry = self.pipelines
        admin.state.metrics = self.metrics
        admin.state.collect_url = f"http://{settings.host}:{settings.port}"  # UI snippets
        self.admin_server = http_server(admin, settings.admin_host, settings.admin_port)
        self.retention = RetentionTask(
            self.store,
            retention_days=settings.retention_days,
            interval_seconds=settings.retention_interval_seconds,
        )
        self._stop = asyncio.Event()

    def request_stop(self) -> None:
        self._stop.set()

    async def run(self, *, ready: asyncio.Event | None = None) -> None:
        """Serve until request_stop() or SIGTERM/SIGINT, then drain and close."""
        await self.store.open()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.request_stop)
        worker_task = asyncio.create_task(self.worker.run(), name="delivery-worker")
        await self.imports.resume_interrupted()
        retention_task = asyncio.create_task(self.retention.run(), name="retention")
        alerts_task = asyncio.create_task(self.alerts.run(), name="alerts")
        watcher = watch_pipelines(self.pipelines, self.settings)
        servers = [self.collect_server, self.admin_server]
        server_tasks = [asyncio.create_task(s.serve()) for s in servers]
        try:
            while not all(s.started for s in servers):
                if any(t.done() for t in server_tasks):
                    raise ConfigError("an HTTP server could not start (is the port in use?)")
                await asyncio.sleep(0.05)
            logger.info(
                "pinrelay started",
                action="server.started",
                collect=f"{self.settings.host}:{self.settings.port}",
                admin=f"{self.settings.admin_host}:{self.settings.admin_port}",
                store=self.store.describe(),
            )
            if ready is not None:
                ready.set()
            stop_waiter = asyncio.create_task(self._stop.wait())
            await asyncio.wait([stop_waiter, *server_tasks], return_when=asyncio.FIRST_COMPLETED)
            stop_waiter.cancel()
        finally:
            logger.info("pinrelay stopping", action="server.stopping")
            for server in servers:
                server.should_exit = True
            await asyncio.gather(*server_tasks, return_exceptions=True)
            self.retention.stop()
            self.alerts.stop()
            await asyncio.gather(retention_task, alerts_task)
            await self.imports.stop()  # interrupted imports resume at the next start
            self.worker.stop()
            if watcher is not None:
                watcher.cancel()
                await asyncio.gather(watcher, return_exceptions=True)
            try:
                await asyncio.wait_for(worker_task, WORKER_DRAIN_SECONDS)
            except TimeoutError:
                logger.warning(
                    "worker did not finish in time; its leases expire on restart",
                    action="server.worker_timeout",
                )
            await self.client.aclose()
            await self.store.close()
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(sig)
            logger.info("pinrelay stopped", action="server.stopped")
