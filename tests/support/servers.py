"""Real servers for tests: free loopback ports, a sandbox, a gateway, in background threads.

Servers run for real on 127.0.0.1 (uvicorn in a background thread with its own event loop),
so tests speak real HTTP to them, the way an SDK or Pinterest would.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from pinrelay.app import Gateway, http_server
from pinrelay.pinterest.sandbox.app import create_sandbox_app
from pinrelay.pinterest.sandbox.config import SandboxConfig
from pinrelay.settings import Settings
from tests.support.polling import eventually

ADMIN_TOKEN = "test-admin-token-0123456789"
CONVERSION_TOKEN = "pina_sandbox_token"
AD_ACCOUNT = "549764982399"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ThreadedLoop:
    """An event loop in a background thread, to run servers beside synchronous tests."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def submit(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@dataclass
class SandboxHandle:
    url: str
    config: SandboxConfig

    def events(self, **params: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.url}/_sandbox/events", params=params)
        response.raise_for_status()
        events: list[dict[str, Any]] = response.json()
        return events

    def wait_for_events(self, count: int, timeout: float = 15.0) -> list[dict[str, Any]]:
        """The sandbox's events once there are `count` (fewer at the timeout)."""
        events: list[dict[str, Any]] = []

        def enough() -> bool:
            events[:] = self.events()
            return len(events) >= count

        eventually(enough, timeout=timeout)
        return events


@contextmanager
def running_sandbox(config: SandboxConfig | None = None) -> Iterator[SandboxHandle]:
    runner = ThreadedLoop()
    port = free_port()
    config = config or SandboxConfig()
    server = http_server(create_sandbox_app(config), "127.0.0.1", port)
    task = runner.submit(server.serve())
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield SandboxHandle(f"http://127.0.0.1:{port}", config)
    server.should_exit = True
    task.result(timeout=10)
    runner.close()


@dataclass
class GatewayHandle:
    collect_url: str
    admin_url: str
    settings: Settings
    gateway: Gateway
    stop: Callable[[], None] = field(repr=False, default=lambda: None)
    headers: dict[str, str] = field(
        default_factory=lambda: {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, f"{self.admin_url}{path}", headers=self.headers, **kwargs)

    def create_source(self, name: str = "Website") -> dict[str, Any]:
        response = self.admin("POST", "/v1/admin/sources", json={"name": name})
        assert response.status_code == 201, response.text
        source: dict[str, Any] = response.json()
        return source

    def create_integration(self, source_id: str, **overrides: Any) -> dict[str, Any]:
        body = {
            "source_id": source_id,
            "vendor": "pinterest_ads",
            "name": "Pinterest",
            "enabled": True,
            "config": {"ad_account_id": AD_ACCOUNT, "conversion_token": CONVERSION_TOKEN},
            "consent_categories": [],
        }
        body.update(overrides)
        response = self.admin("POST", "/v1/admin/integrations", json=body)
        assert response.status_code == 201, response.text
        integration: dict[str, Any] = response.json()
        return integration


GatewayFactory = Callable[..., GatewayHandle]


@contextmanager
def gateway_factory(tmp_path: Path, database_url: str | None = None) -> Iterator[GatewayFactory]:
    """Start real gateways on loopback ports, on `database_url` (default: a SQLite file under
    tmp_path)."""
    runner = ThreadedLoop()
    started: list[tuple[Gateway, Any]] = []

    def start(**overrides: Any) -> GatewayHandle:
        port, admin_port = free_port(), free_port()
        values: dict[str, Any] = {
            "database_url": database_url or f"sqlite:///{tmp_path / 'pinrelay.db'}",
            "host": "127.0.0.1",
            "port": port,
            "admin_port": admin_port,
            "admin_token": ADMIN_TOKEN,
            "secret_key_file": tmp_path / "pinrelay.key",
            "pinterest_api_url": "http://127.0.0.1:9/v5",
            "delivery_poll_seconds": 0.05,
            "delivery_backoff_base_seconds": 0.05,
            "delivery_backoff_max_seconds": 0.2,
        }
        values.update(overrides)
        settings = Settings(**values)
        gateway = Gateway(settings)
        ready = asyncio.Event()
        future = runner.submit(gateway.run(ready=ready))
        deadline = time.monotonic() + 10
        while not ready.is_set():
            if future.done():
                future.result()
            assert time.monotonic() < deadline, "the gateway did not start"
            time.sleep(0.02)
        started.append((gateway, future))

        def stop() -> None:
            """Stop this gateway and wait until its store is closed (like a clean shutdown)."""
            runner.loop.call_soon_threadsafe(gateway.request_stop)
            future.result(timeout=30)

        return GatewayHandle(
            f"http://127.0.0.1:{port}", f"http://127.0.0.1:{admin_port}", settings, gateway, stop
        )

    yield start
    for gateway, future in started:
        if not future.done():
            runner.loop.call_soon_threadsafe(gateway.request_stop)
            future.result(timeout=30)
    runner.close()
