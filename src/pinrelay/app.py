"""One pinrelay process: collect server + admin API + delivery worker around one store.

Which of the three a process runs is its roles (pinrelay/roles.py; all three by default).
On SQLite, collect runs on the main event loop and the rest (admin API, delivery worker,
alerts, retention, imports) on a loop of its own in a second thread, so neither stalls the
other (loopthread.py); on PostgreSQL one process keeps one loop and the roles scale as
processes. Stopping (SIGTERM/SIGINT) drains: collect and the admin server stop accepting and
finish their requests (each collect request waits for its commit), the worker finishes the
batch it is sending, then the store commits what is queued and closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator
from typing import Any

import structlog
import uvicorn

from pinrelay.adminsite import build_admin_site
from pinrelay.alerts.monitor import AlertMonitor
from pinrelay.alerts.rules import AlertThresholds
from pinrelay.collect.app import CollectApp
from pinrelay.collect.ingest import Ingestor
from pinrelay.collect.mappingpool import MappingPool, auto_workers
from pinrelay.collect.network import parse_networks
from pinrelay.credentials import (
    SecretBox,
    load_secret_box,
    unreadable_secrets,
    weak_admin_token,
)
from pinrelay.delivery.retry import RetryPolicy
from pinrelay.delivery.worker import DeliveryWorker
from pinrelay.errors import ConfigError
from pinrelay.loopthread import LoopThread
from pinrelay.mapping.registry import pipeline_registry, watch_pipelines
from pinrelay.metrics import Metrics
from pinrelay.offline.jobs import ImportJobs
from pinrelay.pinterest.client import PinterestClient
from pinrelay.privatefiles import create_private
from pinrelay.roles import ALL_ROLES, HealthWithRoles, ordered, reuse_port_socket
from pinrelay.services.context import ServiceContext
from pinrelay.services.throttle import FailureThrottle
from pinrelay.settings import Settings
from pinrelay.store.engines import engine_of, open_store, sqlite_path
from pinrelay.store.retention import RetentionTask

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


def retry_policy_of(settings: Settings) -> RetryPolicy:
    """The delivery retry policy the settings describe (PINRELAY_DELIVERY_*)."""
    return RetryPolicy(
        settings.delivery_backoff_base_seconds,
        settings.delivery_backoff_max_seconds,
        settings.delivery_max_attempts,
        settings.delivery_retry_window_seconds,
    )


class Gateway:
    """The store, the two HTTP apps and the worker, started and stopped together."""

    def __init__(
        self,
        settings: Settings,
        *,
        roles: frozenset[str] = ALL_ROLES,
        reuse_port: bool = False,
    ) -> None:
        if settings.admin_token is None or not settings.admin_token.get_secret_value():
            raise ConfigError(
                "PINRELAY_ADMIN_TOKEN is not set: the admin API refuses to start "
                "without a bearer token (e.g. export PINRELAY_ADMIN_TOKEN=$(python "
                "-c 'import secrets; print(secrets.token_urlsafe(32))'))"
            )
        if reuse_port and engine_of(settings.database_url) != "postgresql":
            raise ConfigError(
                "several collect processes need PostgreSQL: a SQLite file has one writer, "
                "the process that opened it (use PINRELAY_DATABASE_URL=postgresql://...)"
            )
        weakness = weak_admin_token(settings.admin_token.get_secret_value())
        if weakness is not None:
            raise ConfigError(weakness)
        self.settings = settings
        self.roles = roles
        self._reuse_port = reuse_port
        self.store = open_store(
            settings.database_url,
            group_commit_max_items=settings.group_commit_max_items,
            pool_size=settings.database_pool_size,
        )
        if engine_of(settings.database_url) == "sqlite":  # 0600 before SQLite creates it 0644
            create_private(sqlite_path(settings.database_url))
        secret_key = settings.secret_key.get_secret_value() if settings.secret_key else None
        key_file = None if secret_key else settings.key_file_path()
        self._key_file = key_file
        self._new_key_file = key_file is not None and not key_file.exists()
        self._key_source = f"the key file {key_file}" if key_file else "PINRELAY_SECRET_KEY"
        self.secrets: SecretBox = load_secret_box(secret_key, key_file)
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
            retry=retry_policy_of(settings),
            lease_seconds=settings.delivery_lease_seconds,
            poll_seconds=settings.delivery_poll_seconds,
            batch_wait_seconds=settings.delivery_batch_wait_seconds,
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
        wake = self.worker.wake if "deliver" in roles else None
        self.collect_pool = pool = collect_pool_for(settings, roles)
        if pool is not None:
            self.metrics.watch_batch_workers(
                lambda: pool.workers if pool.up else 0, lambda: pool.mapped
            )
        ingestor = Ingestor(
            self.store,
            on_commit=wake,
            pipelines=self.pipelines.pipelines_for,
            pool=self.collect_pool,
        )
        collect = CollectApp(
            self.store,
            ingestor,
            trusted_proxies=parse_networks(settings.trusted_proxies),
            rate_per_second=settings.collect_rate_limit_per_second,
            max_request_bytes=settings.max_request_bytes,
        )
        engine = engine_of(settings.database_url)
        self.collect_server = http_server(
            HealthWithRoles(collect.build(), roles, self.store.ping, engine),
            settings.host,
            settings.port,
        )
        self.imports = ImportJobs(  # issue 15: offline conversions, run by this process
            self.store,
            ingestor,
            settings.import_directory(),
            max_bytes=settings.import_max_bytes,
            workers=settings.import_workers,
        )
        admin = build_admin_site(  # the admin API and the UI act through one context
            ServiceContext(
                store=self.store,
                secrets=self.secrets,
                pinterest=self.client,
                admin_token=settings.admin_token.get_secret_value(),
                auth_throttle=FailureThrottle(max_failures=settings.admin_auth_max_failures),
                alerts=self.alerts,
                imports=self.imports,
                pipelines=self.pipelines,
                metrics=self.metrics,
                trusted_proxies=parse_networks(settings.trusted_proxies),
                roles=tuple(ordered(roles)),
                collect_url=settings.public_collect_url,  # UI snippets (None: guessed)
                collect_port=settings.port,
            )
        )
        # A process without the admin role still answers /healthz and /readyz on its port.
        self.admin_server = http_server(
            admin if "admin" in roles else HealthWithRoles(None, roles, self.store.ping, engine),
            settings.admin_host,
            settings.admin_port,
        )
        self.retention = RetentionTask(
            self.store,
            retention_days=settings.retention_days,
            interval_seconds=settings.retention_interval_seconds,
        )
        self._stop = asyncio.Event()

    async def _check_secrets(self) -> None:
        """Refuse to start when stored tokens cannot be decrypted with the key in use."""
        unreadable = [
            i.name
            for i in self.store.list_integrations()
            if not self.secrets.can_decrypt(i.conversion_token_enc)
        ]
        if not unreadable:
            return
        await self.store.close()
        if self._new_key_file and self._key_file is not None:  # made now: decrypts nothing
            self._key_file.unlink(missing_ok=True)
        raise unreadable_secrets(unreadable, self._key_source)

    def request_stop(self) -> None:
        self._stop.set()

    @property
    def splits_loops(self) -> bool:
        """Whether collect runs on its own loop, apart from admin and delivery (loopthread.py).

        On SQLite one process is the whole of pinrelay, so its collect traffic must not stall
        the admin API or the delivery worker. On PostgreSQL the roles are split into
        processes instead (`--role`); one process there keeps one loop, because the store's
        connection pool belongs to the loop that opened it."""
        return (
            engine_of(self.settings.database_url) == "sqlite"
            and "collect" in self.roles
            and bool(self.roles - {"collect"})
        )

    async def run(self, *, ready: asyncio.Event | None = None) -> None:
        """Serve until request_stop() or SIGTERM/SIGINT, then drain and close."""
        await self.store.open()
        await self._check_secrets()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.request_stop)
        try:
            if self.splits_loops:
                await self._run_on_two_loops(ready)
            else:
                await self._run_on_one_loop(ready)
        finally:
            await self.store.close()
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(sig)
            logger.info("pinrelay stopped", action="server.stopped")

    async def _run_on_one_loop(self, ready: asyncio.Event | None) -> None:
        control_stop = asyncio.Event()
        control_started = asyncio.Event()
        control = asyncio.create_task(self._serve_control(control_stop, control_started.set))
        collect = asyncio.create_task(self._serve_collect()) if "collect" in self.roles else None
        try:
            await _first_of(control_started.wait(), control)
            if collect is not None:
                await _first_of(self._collect_started(), collect)
            self._announce(ready)
            await _first_of(self._stop.wait(), control, *([collect] if collect else []))
        finally:
            logger.info("pinrelay stopping", action="server.stopping")
            control_stop.set()  # both drain at once; each request still waits for its commit
            await self._stop_collect(collect)
            await asyncio.gather(control, return_exceptions=True)
        _raise_failure(control, collect)

    async def _run_on_two_loops(self, ready: asyncio.Event | None) -> None:
        control = LoopThread("pinrelay-control", self._serve_control)
        control.start()
        collect = asyncio.create_task(self._serve_collect())  # both start at once
        try:
            await _first_of(control.wait_started(), control.finished())
            await _first_of(self._collect_started(), collect, control.finished())
            self._announce(ready)
            await _first_of(self._stop.wait(), collect, control.finished())
        finally:
            logger.info("pinrelay stopping", action="server.stopping")
            control.stop()  # both drain at once; each collect request waits for its commit
            await self._stop_collect(collect)
            with contextlib.suppress(Exception):  # raised below if it matters
                await control.join()
        await control.join()  # what the control loop raised, if anything
        _raise_failure(None, collect)

    def _announce(self, ready: asyncio.Event | None) -> None:
        logger.info(
            "pinrelay started",
            action="server.started",
            collect=f"{self.settings.host}:{self.settings.port}",
            admin=f"{self.settings.admin_host}:{self.settings.admin_port}",
            store=self.store.describe(),
            roles=sorted(self.roles),
            loops=2 if self.splits_loops else 1,
        )
        if ready is not None:
            ready.set()

    # collect -----------------------------------------------------------------------------
    async def _serve_collect(self) -> None:
        sockets = (
            [reuse_port_socket(self.settings.host, self.settings.port)]
            if self._reuse_port
            else None
        )
        await self.collect_server.serve(sockets=sockets)
        if not self.collect_server.started:
            raise ConfigError(
                f"the collect server could not start on {self.settings.host}:"
                f"{self.settings.port} (is the port in use?)"
            )

    async def _collect_started(self) -> None:
        while not self.collect_server.started:  # noqa: ASYNC110  # uvicorn offers no event
            await asyncio.sleep(0.02)

    async def _stop_collect(self, collect: asyncio.Task[None] | None) -> None:
        if collect is None:
            return
        self.collect_server.should_exit = True
        await asyncio.gather(collect, return_exceptions=True)
        if self.collect_pool is not None:  # after the last request: nothing is mapped now
            await self.collect_pool.close()

    # control: admin API, delivery, alerts, retention, imports ----------------------------
    async def _serve_control(self, stop: asyncio.Event, started: Callable[[], None]) -> None:
        """Everything but collect, until `stop`; then drain in order. On SQLite this runs on
        its own loop and thread (loopthread.py), else beside collect on the one loop."""
        delivering = "deliver" in self.roles
        worker_task = asyncio.create_task(
            self.worker.run() if delivering else _nothing(), name="delivery-worker"
        )
        if "admin" in self.roles:  # imports run in the process that serves the admin API
            await self.imports.resume_interrupted()
        retention_task = asyncio.create_task(
            self.retention.run() if delivering else _nothing(), name="retention"
        )
        alerts_task = asyncio.create_task(
            self.alerts.run() if "admin" in self.roles else _nothing(), name="alerts"
        )
        watcher = watch_pipelines(self.pipelines, self.settings)
        # The admin port also carries a worker's health endpoints.
        serves_admin = "admin" in self.roles or "collect" not in self.roles
        admin_task = asyncio.create_task(self.admin_server.serve()) if serves_admin else None
        try:
            if admin_task is not None:
                while not self.admin_server.started:
                    if admin_task.done():
                        raise ConfigError(
                            f"the admin server could not start on {self.settings.admin_host}:"
                            f"{self.settings.admin_port} (is the port in use?)"
                        )
                    await asyncio.sleep(0.02)
            started()
            waiters = [asyncio.create_task(stop.wait())]
            await asyncio.wait(
                [*waiters, *([admin_task] if admin_task else [])],
                return_when=asyncio.FIRST_COMPLETED,
            )
            waiters[0].cancel()
        finally:
            if admin_task is not None:
                self.admin_server.should_exit = True
                await asyncio.gather(admin_task, return_exceptions=True)
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


def collect_pool_for(settings: Settings, roles: frozenset[str]) -> MappingPool | None:
    """Mapping workers for big collect requests (collect/mappingpool.py), or None."""
    workers = settings.batch_workers
    if workers is None:  # PostgreSQL scales collect with processes (--workers) instead
        sqlite = engine_of(settings.database_url) == "sqlite"
        workers = auto_workers() if sqlite else 0
    if workers < 1 or "collect" not in roles:
        return None
    return MappingPool(workers, niceness=0)


async def _first_of(*awaitables: Any) -> None:
    """Wait until the first of `awaitables` is done (tasks and futures are not cancelled)."""
    futures = [asyncio.ensure_future(a) for a in awaitables]
    try:
        done, _ = await asyncio.wait(futures, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for future, given in zip(futures, awaitables, strict=True):
            if future is not given and not future.done() and asyncio.iscoroutine(given):
                future.cancel()  # a waiter made here for a coroutine: ours to cancel
    for future in done:
        if not future.cancelled() and (error := future.exception()) is not None:
            raise error


def _raise_failure(*tasks: asyncio.Task[None] | None) -> None:
    """Raise what a server task raised (e.g. a port in use), after the drain."""
    for task in tasks:
        if task is None or not task.done() or task.cancelled():
            continue
        if (error := task.exception()) is not None:
            raise error


async def _nothing() -> None:
    """The task of a role this process does not have."""
