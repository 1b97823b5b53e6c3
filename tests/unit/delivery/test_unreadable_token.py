"""A conversion token that cannot be decrypted at run time pauses its integration with the
reason and raises the paused alert; its events wait (issue 13, item 4)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from pinrelay.alerts.monitor import AlertMonitor
from pinrelay.alerts.rules import AlertThresholds
from pinrelay.credentials import SecretBox
from pinrelay.store.sqlite.store import SQLiteStore
from tests.support.stores import opened_store, sample_integration
from tests.unit.delivery.test_worker import Harness, drain, processed, queue

pytestmark = pytest.mark.anyio

OTHER_KEY_BOX = SecretBox(Fernet.generate_key())  # the key the token was saved with


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    integration = sample_integration(
        name="P", conversion_token_enc=OTHER_KEY_BOX.encrypt("pina_x"), conversion_token_hint="na_x"
    )
    async with opened_store(tmp_path / "pinrelay.db", integration=integration) as opened:
        yield opened


async def test_an_unreadable_token_pauses_the_integration_and_alerts(store: SQLiteStore) -> None:
    harness = Harness(store, processed)  # the worker holds a different key
    await queue(store, "a", "b")
    await drain(harness)
    assert harness.requests == []  # nothing was sent with a garbled token
    integration = store.get_integration("int_1")
    assert integration is not None
    assert integration.paused_reason is not None
    assert "cannot be decrypted" in integration.paused_reason
    assert "restore" in integration.paused_reason
    assert {status for status, _ in (await harness.statuses()).values()} == {"pending"}
    monitor = AlertMonitor(
        store, thresholds=AlertThresholds(), interval_seconds=60, webhook_url=None
    )
    assert [alert.rule for alert in await monitor.check()] == ["paused"]
