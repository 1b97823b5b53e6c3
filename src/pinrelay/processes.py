"""`pinrelay serve --workers N`: N collect processes on one host, sharing the collect port.

Each child is `pinrelay serve --role collect` with a SO_REUSEPORT socket, so the kernel spreads
connections over them; the parent restarts a child that dies, runs the other roles it was
given itself, and passes SIGTERM/SIGINT on. Only PostgreSQL allows it: a SQLite file has one
writer, the process that opened it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys

import structlog

from pinrelay import eventloop
from pinrelay.errors import ConfigError
from pinrelay.settings import Settings
from pinrelay.store.engines import engine_of

logger = structlog.get_logger(__name__)

SUPERVISE_SECONDS = 0.5
CHILD_STOP_SECONDS = 30.0


def child_env(settings: Settings) -> dict[str, str]:
    """The environment of a collect child: the parent's, plus the settings its flags set."""
    env = dict(os.environ)
    env.update(
        {
            "PINRELAY_DATABASE_URL": settings.database_url,
            "PINRELAY_HOST": settings.host,
            "PINRELAY_PORT": str(settings.port),
            "PINRELAY_INTERNAL_REUSE_PORT": "1",
        }
    )
    if settings.pipelines_dir is not None:
        env["PINRELAY_PIPELINES_DIR"] = str(settings.pipelines_dir)
    return env


def run_collect_workers(settings: Settings, roles: frozenset[str], workers: int) -> None:
    if engine_of(settings.database_url) != "postgresql":
        raise ConfigError(
            "--workers needs PostgreSQL: a SQLite file has one writer, the process that "
            "opened it, so a second collect process could not commit (use "
            "PINRELAY_DATABASE_URL=postgresql://...)"
        )
    if "collect" not in roles:
        raise ConfigError("--workers starts collect processes: add --role collect")
    eventloop.run(_supervise(settings, roles - {"collect"}, workers))


def _spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env)  # noqa: S603  # our own executable


async def _supervise(settings: Settings, other_roles: frozenset[str], workers: int) -> None:
    from pinrelay.app import Gateway

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    env = child_env(settings)
    command = [sys.executable, "-m", "pinrelay", "serve", "--role", "collect"]
    children = [_spawn(command, env) for _ in range(workers)]
    gateway = Gateway(settings, roles=other_roles) if other_roles else None
    gateway_task = asyncio.create_task(gateway.run()) if gateway else None
    logger.info("collect workers started", action="server.workers", workers=workers)
    try:
        while not stop.is_set():
            for index, child in enumerate(children):
                if child.poll() is not None:
                    logger.warning(
                        "collect worker exited; restarting",
                        action="server.worker_restart",
                        code=child.returncode,
                    )
                    children[index] = _spawn(command, env)
            if gateway_task is not None and gateway_task.done():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SUPERVISE_SECONDS)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                await asyncio.to_thread(child.wait, CHILD_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
        if gateway is not None and gateway_task is not None:
            gateway.request_stop()
            await gateway_task
