"""The event page rebuilds a reclaimed payload with the pipelines the server ran (issue 16).

Once a delivered outbox entry is reclaimed, the page rebuilds the Pinterest event from the
stored message. It used to rebuild with the presets only, so an event mapped by the
integration's own pipeline showed no payload at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from pinrelay.delivery import worker
from tests.support.polling import wait_for
from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle
from tests.support.ui import UIClient

QUOTE_PIPELINE = """name: quote_requested
trigger:
  event: track
  conditions:
    - {field: event, operator: equals, value: Quote Requested}
transform:
  static:
    - {target: event_name, value: lead}
    - {target: action_source, value: web}
  mapping:
    - {source: messageId, target: event_id}
    - {source: timestamp, target: event_time, transform: unix_seconds}
  context:
    - {source: context.ip, target: user_data.client_ip_address}
    - {source: context.userAgent, target: user_data.client_user_agent}
"""


@pytest.fixture
def gateway(
    start_gateway: GatewayFactory, sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> GatewayHandle:
    monkeypatch.setattr(worker, "RECLAIM_INTERVAL_SECONDS", 0.05)  # reclaim at once
    return start_gateway(pinterest_api_url=f"{sandbox.url}/v5", delivery_retention_seconds=0.001)


@pytest.fixture
def ui(gateway: GatewayHandle) -> Iterator[UIClient]:
    client = UIClient(gateway.admin_url)
    client.login()
    yield client
    client.close()


def test_a_reclaimed_payload_is_rebuilt_with_the_integrations_own_pipeline(
    gateway: GatewayHandle, sandbox: SandboxHandle, ui: UIClient
) -> None:
    source = gateway.create_source()
    integration = gateway.create_integration(source["id"])
    saved = gateway.admin(
        "POST",
        f"/v1/admin/integrations/{integration['id']}/pipelines",
        json={"yaml": QUOTE_PIPELINE},
    )
    assert saved.status_code == 201, saved.text
    message_id = str(uuid.uuid4())
    httpx.post(
        f"{gateway.collect_url}/v1/track",
        auth=(source["write_key"], ""),
        json={
            "type": "track",
            "event": "Quote Requested",
            "userId": "u-1",
            "messageId": message_id,
            "context": {"ip": "203.0.113.4", "userAgent": "Mozilla/5.0 (X11; Linux x86_64)"},
        },
    ).raise_for_status()
    assert len(sandbox.wait_for_events(1)) == 1
    (event,) = gateway.admin("GET", "/v1/admin/events").json()
    assert event["trace"][0]["pipeline"] == "quote_requested"

    def rebuilt_page() -> str | None:
        page = ui.get(f"/events/{event['seq']}")
        assert page.status_code == 200, page.text
        return page.text if "rebuilt from the stored event" in page.text else None

    page = wait_for(rebuilt_page, what="the page to rebuild the reclaimed payload")
    assert "&#34;lead&#34;" in page or '"lead"' in page
    assert message_id in page
