from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from pinrelay.pinterest.client import PinterestClient
from pinrelay.pinterest.sandbox import DEMO_TOKEN, SandboxConfig, create_sandbox_app

from .helpers import AD_ACCOUNT_ID, TOKEN, FakeClock


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox_config(clock: FakeClock) -> SandboxConfig:
    """TOKEN may send for AD_ACCOUNT_ID only; the demo token for any account."""
    return SandboxConfig(
        tokens={TOKEN: {AD_ACCOUNT_ID}, DEMO_TOKEN: {"*"}},
        missing_ad_accounts={"404404404"},
        clock=clock,
    )


@pytest.fixture
def sandbox(sandbox_config: SandboxConfig) -> Starlette:
    return create_sandbox_app(sandbox_config)


@pytest.fixture
async def http(sandbox: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A plain HTTP client to the sandbox, for speaking to it directly."""
    transport = httpx.ASGITransport(app=sandbox)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        yield client


@pytest.fixture
async def pinterest(sandbox: Starlette) -> AsyncIterator[PinterestClient]:
    """Our client, talking to the sandbox through the transport seam."""
    transport = httpx.ASGITransport(app=sandbox)
    async with PinterestClient("http://sandbox/v5", transport=transport) as client:
        yield client
