"""`pinrelay demo`: the whole path on one machine, in one command.

Starts the Pinterest sandbox and a pinrelay on a fresh SQLite file, configures a source and an
integration through the real admin API, sends sample events through the real collect API,
waits until the sandbox has them, and shows what Pinterest would have received.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from rich.console import Console
from rich.table import Table

from pinrelay.app import Gateway, http_server
from pinrelay.demoshop.app import create_shop_app
from pinrelay.pinterest.sandbox.app import create_sandbox_app
from pinrelay.pinterest.sandbox.config import DEMO_TOKEN, SandboxConfig
from pinrelay.settings import Settings

DEMO_AD_ACCOUNT = "549764982399"
DELIVERY_WAIT_SECONDS = 20.0

console = Console()


def sample_events(now: float) -> list[dict[str, Any]]:
    """A visit from a Pinterest ad, a sign-in, and a purchase, as a website would send them."""
    anonymous_id = str(uuid.uuid4())
    context: dict[str, Any] = {
        "ip": "203.0.113.7",
        "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    }
    # the visitor accepted advertising (the demo source requires consent)
    context["consent"] = {"categoryPreferences": {"advertising": True}}
    page_context = {**context, "page": {"url": "https://shop.example/?epik=dj0yJnU9demo"}}
    return [
        {
            "type": "page",
            "anonymousId": anonymous_id,
            "name": "Home",
            "context": page_context,
            "messageId": str(uuid.uuid4()),
        },
        {
            "type": "identify",
            "anonymousId": anonymous_id,
            "userId": "user-42",
            "traits": {"email": "  Jane.Doe@Example.com ", "firstName": "Jane"},
            "context": context,
            "messageId": str(uuid.uuid4()),
        },
        {
            "type": "track",
            "event": "Product Added",
            "anonymousId": anonymous_id,
            "userId": "user-42",
            "context": context,
            "messageId": str(uuid.uuid4()),
            "properties": {
                "product_id": "sku-1",
                "name": "Linen shirt",
                "price": 49.5,
                "quantity": 1,
                "currency": "USD",
            },
        },
        {
            "type": "track",
            "event": "Order Completed",
            "anonymousId": anonymous_id,
            "userId": "user-42",
            "context": context,
            "messageId": str(uuid.uuid4()),
            "properties": {
                "order_id": "ord-1001",
                "revenue": 99.0,
                "currency": "USD",
                "products": [
                    {"product_id": "sku-1", "name": "Linen shirt", "price": 49.5, "quantity": 2}
                ],
            },
        },
    ]


def prepare_workdir(workdir: Path) -> None:
    """A fresh folder: every demo starts from an empty database."""
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)


async def run_demo(
    *,
    port: int,
    admin_port: int,
    sandbox_port: int,
    workdir: Path,
    exit_after_samples: bool,
    shop_port: int = 8088,
) -> bool:
    admin_token = secrets.token_urlsafe(24)
    settings = Settings(
        database_url=f"sqlite:///{workdir / 'pinrelay.db'}",
        port=port,
        admin_port=admin_port,
        host="127.0.0.1",
        admin_token=SecretStr(admin_token),
        secret_key_file=workdir / "pinrelay.key",
        pinterest_api_url=f"http://127.0.0.1:{sandbox_port}/v5",
        delivery_poll_seconds=0.2,
    )
    sandbox = http_server(create_sandbox_app(SandboxConfig()), "127.0.0.1", sandbox_port)
    sandbox_task = asyncio.create_task(sandbox.serve())
    gateway = Gateway(settings)
    ready = asyncio.Event()
    gateway_task = asyncio.create_task(gateway.run(ready=ready))
    await asyncio.wait(
        [asyncio.create_task(ready.wait()), gateway_task], return_when=asyncio.FIRST_COMPLETED
    )
    if gateway_task.done():
        gateway_task.result()  # raises why it could not start
    shop: Any = None
    try:
        delivered, write_key = await _configure_and_send(
            settings, admin_token, sandbox_port, shop_port
        )
        if exit_after_samples:
            return delivered
        collect_url = f"http://127.0.0.1:{port}"
        shop = http_server(
            create_shop_app(collect_url=collect_url, write_key=write_key), "127.0.0.1", shop_port
        )
        shop_task = asyncio.create_task(shop.serve())
        console.print(
            f"[bold]Demo shop[/]    http://127.0.0.1:{shop_port}/?epik=demo-click   "
            "(product view, add to cart, checkout with email: pinrelay.js in your browser)"
        )
        console.print("[bold]pinrelay demo is running.[/] Press Ctrl-C to stop.")
        await gateway_task
        return True
    finally:
        if shop is not None:
            shop.should_exit = True
            await asyncio.gather(shop_task, return_exceptions=True)
        gateway.request_stop()
        await asyncio.gather(gateway_task, return_exceptions=True)
        sandbox.should_exit = True
        await sandbox_task


async def _configure_and_send(
    settings: Settings, admin_token: str, sandbox_port: int, shop_port: int
) -> tuple[bool, str]:
    admin_url = f"http://127.0.0.1:{settings.admin_port}"
    collect_url = f"http://127.0.0.1:{settings.port}"
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(timeout=10) as http:
        source = (
            (
                await http.post(
                    f"{admin_url}/v1/admin/sources",
                    headers=headers,
                    json={
                        "name": "Demo shop",
                        "allowed_origins": [f"http://127.0.0.1:{shop_port}"],
                        "consent_required": True,
                    },
                )
            )
            .raise_for_status()
            .json()
        )
        integration = (
            (
                await http.post(
                    f"{admin_url}/v1/admin/integrations",
                    headers=headers,
                    json={
                        "source_id": source["id"],
                        "vendor": "pinterest_ads",
                        "name": "Pinterest (sandbox)",
                        "enabled": True,
                        "config": {
                            "ad_account_id": DEMO_AD_ACCOUNT,
                            "conversion_token": DEMO_TOKEN,
                        },
                        "consent_categories": ["advertising"],
                    },
                )
            )
            .raise_for_status()
            .json()
        )
        write_key = source["write_key"]
        events = sample_events(time.time())
        (
            await http.post(f"{collect_url}/v1/batch", auth=(write_key, ""), json={"batch": events})
        ).raise_for_status()
        expected = sum(1 for e in events if e["type"] != "identify")
        received = await _wait_for_sandbox(http, sandbox_url, expected)

    _print_received(received)
    console.print(f"""
[bold]Collect API[/]  {collect_url}   (Segment-compatible: /v1/track, /v1/page, /v1/batch ...)
[bold]Admin API[/]    {admin_url}/docs   token: [green]{admin_token}[/]
[bold]Sandbox[/]      {sandbox_url}/_sandbox/events   (what "Pinterest" received)
[bold]Write key[/]    [green]{write_key}[/]   source {source["id"]}, integration {integration["id"]}

Try it:
  curl -u '{write_key}:' {collect_url}/v1/track -H 'Content-Type: application/json' \\
    -d '{{"userId": "user-7", "event": "Signed Up",
         "context": {{"ip": "203.0.113.9", "userAgent": "Mozilla/5.0"}}}}'
  curl {sandbox_url}/_sandbox/events
""")
    return len(received) >= expected, write_key


async def _wait_for_sandbox(
    http: httpx.AsyncClient, sandbox_url: str, expected: int
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + DELIVERY_WAIT_SECONDS
    received: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        received = (await http.get(f"{sandbox_url}/_sandbox/events")).json()
        if len(received) >= expected:
            break
        await asyncio.sleep(0.2)
    return received


def _print_received(received: list[dict[str, Any]]) -> None:
    table = Table(title="Events the Pinterest sandbox accepted")
    for column in ("event_name", "event_id", "click_id", "em", "external_id", "value"):
        table.add_column(column)
    for item in received:
        event = item["event"]
        user = event.get("user_data", {})
        table.add_row(
            event["event_name"],
            event["event_id"][:8] + "…",
            str(user.get("click_id", "")),
            (user.get("em") or [""])[0][:12] + "…",
            (user.get("external_id") or [""])[0][:12] + "…",
            str(event.get("custom_data", {}).get("value", "")),
        )
    console.print(table)
