"""A ServiceContext over a real SQLite store, for the service layer's unit tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from pinrelay.credentials import SecretBox
from pinrelay.pinterest.client import PinterestClient
from pinrelay.services.context import ServiceContext
from tests.support.stores import opened_store

ADMIN_TOKEN = "bootstrap-token-for-service-tests"


def refusing_pinterest(request: httpx.Request) -> httpx.Response:
    """No test here reaches Pinterest; one that tries gets a 500 it can see."""
    return httpx.Response(500, json={"message": "the service tests do not call Pinterest"})


@pytest.fixture
async def context(tmp_path: Path) -> AsyncIterator[ServiceContext]:
    """Holds SOURCE_ID and INTEGRATION_ID (tests.support.stores)."""
    async with opened_store(tmp_path / "pinrelay.db") as store:
        pinterest = PinterestClient(
            "http://pinterest.invalid/v5", transport=httpx.MockTransport(refusing_pinterest)
        )
        yield ServiceContext(
            store=store,
            secrets=SecretBox(Fernet.generate_key()),
            pinterest=pinterest,
            admin_token=ADMIN_TOKEN,
        )
        await pinterest.aclose()
