"""Pipelines through the admin API over real HTTP, and the events they map at ingest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from pinrelay.mapping.registry import MAX_PIPELINES_PER_INTEGRATION
from tests.support.polling import wait_for
from tests.support.servers import GatewayFactory, GatewayHandle

# Same trigger as the `checkout` preset, under another name: it replaces the preset.
OWN_CHECKOUT = """\
name: big_checkout
trigger:
  event: track
  conditions:
    - {field: event, operator: equals, value: order_completed}
transform:
  static:
    - {target: event_name, value: checkout}
    - {target: action_source, value: web}
  mapping:
    - {source: timestamp, target: event_time, transform: unix_seconds}
  dedup:
    - {source: message_id, target: event_id}
  context:
    - {source: context.ip, target: user_data.client_ip_address}
    - {source: context.userAgent, target: user_data.client_user_agent}
  custom_data:
    - source: properties.revenue
      target: value
      transform: decimal_string
    - target: content_name
      transform: template
      template: "order {properties.order_id}"
"""


def numbered(index: int) -> str:
    return (
        f"name: p{index}\ntrigger:\n  event: track\n  conditions:\n"
        f"    - {{field: event, operator: equals, value: e{index}}}\n"
        "transform:\n  static:\n    - {target: event_name, value: custom}\n"
    )


@pytest.fixture
def gateway(start_gateway: GatewayFactory) -> GatewayHandle:
    return start_gateway()


@pytest.fixture
def integration(gateway: GatewayHandle) -> dict[str, Any]:
    source = gateway.create_source()
    created = gateway.create_integration(source["id"])
    created["write_key"] = source["write_key"]
    return created


def pipelines_path(integration: dict[str, Any], rest: str = "") -> str:
    return f"/v1/admin/integrations/{integration['id']}/pipelines{rest}"


def track(gateway: GatewayHandle, write_key: str, **properties: Any) -> None:
    message = {
        "type": "track",
        "event": "Order Completed",
        "userId": "u-1",
        "messageId": f"m-{time.monotonic_ns()}",
        "timestamp": "2026-11-20T10:15:30Z",
        "context": {"ip": "203.0.113.7", "userAgent": "Mozilla/5.0 (test)"},
        "properties": properties,
    }
    response = httpx.post(f"{gateway.collect_url}/v1/track", auth=(write_key, ""), json=message)
    assert response.status_code == 200, response.text


def last_trace(gateway: GatewayHandle) -> list[dict[str, Any]]:
    events = gateway.admin("GET", "/v1/admin/events", params={"limit": 1}).json()
    trace: list[dict[str, Any]] = events[0]["trace"]
    return trace


def test_create_list_get_update_delete_with_versions(
    gateway: GatewayHandle, integration: dict[str, Any]
) -> None:
    created = gateway.admin("POST", pipelines_path(integration), json={"yaml": OWN_CHECKOUT})
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "big_checkout"
    assert created.json()["version"] == 1
    listed = gateway.admin("GET", pipelines_path(integration)).json()
    assert [p["name"] for p in listed] == ["big_checkout"]
    edited = OWN_CHECKOUT.replace("order {properties.order_id}", "#{properties.order_id}")
    updated = gateway.admin(
        "PUT", pipelines_path(integration, "/big_checkout"), json={"yaml": edited, "version": 1}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"] == 2
    stale = gateway.admin(
        "PUT", pipelines_path(integration, "/big_checkout"), json={"yaml": edited, "version": 1}
    )
    assert stale.status_code == 409
    assert "version 2" in stale.json()["error"]["message"]
    got = gateway.admin("GET", pipelines_path(integration, "/big_checkout")).json()
    assert got["yaml"] == edited
    deleted = gateway.admin("DELETE", pipelines_path(integration, "/big_checkout"))
    assert deleted.status_code == 204
    assert gateway.admin("GET", pipelines_path(integration, "/big_checkout")).status_code == 404
    versions = gateway.admin("GET", pipelines_path(integration, "/big_checkout/versions")).json()
    assert [(v["version"], v["yaml"] is None) for v in versions] == [
        (1, False),
        (2, False),
        (3, True),
    ]


def test_an_invalid_pipeline_is_refused_with_line_and_column(
    gateway: GatewayHandle, integration: dict[str, Any]
) -> None:
    broken = OWN_CHECKOUT.replace("transform: unix_seconds", "transform: unix_second")
    response = gateway.admin("POST", pipelines_path(integration), json={"yaml": broken})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["details"] == [
        {
            "line": 11,
            "column": 58,
            "path": "transform.mapping[0].transform",
            "problem": "unknown transform 'unix_second'; did you mean 'unix_seconds'?",
        }
    ]
    assert "pipeline.yaml:11:58:" in error["message"]
    assert gateway.admin("GET", pipelines_path(integration)).json() == []


def test_an_own_pipeline_replaces_the_preset_of_the_same_trigger_at_ingest(
    gateway: GatewayHandle, integration: dict[str, Any]
) -> None:
    gateway.admin("POST", pipelines_path(integration), json={"yaml": OWN_CHECKOUT})
    track(gateway, integration["write_key"], revenue=10, order_id="o-9")
    (step,) = last_trace(gateway)
    assert step["pipeline"] == "big_checkout"
    assert step["outcome"] == "queued"
    assert step["origin"] == f"api:{integration['id']}/big_checkout@v1"
    entries = gateway.admin(
        "GET", "/v1/admin/deliveries", params={"integration_id": integration["id"]}
    ).json()["entries"]
    assert [e["event_name"] for e in entries] == ["checkout"]


def test_presets_can_be_turned_off(gateway: GatewayHandle, integration: dict[str, Any]) -> None:
    response = gateway.admin(
        "PATCH",
        f"/v1/admin/integrations/{integration['id']}",
        json={"settings": {"presets": False}},
    )
    assert response.status_code == 200, response.text
    track(gateway, integration["write_key"], revenue=10)
    (step,) = last_trace(gateway)
    assert step["outcome"] == "no_pipeline"
    assert step["reason"].startswith("this integration has no pipelines")


def test_at_most_50_pipelines_per_integration(
    gateway: GatewayHandle, integration: dict[str, Any]
) -> None:
    for index in range(MAX_PIPELINES_PER_INTEGRATION):
        response = gateway.admin(
            "POST", pipelines_path(integration), json={"yaml": numbered(index)}
        )
        assert response.status_code == 201, response.text
    refused = gateway.admin("POST", pipelines_path(integration), json={"yaml": numbered(99)})
    assert refused.status_code == 409
    assert "the most allowed is 50" in refused.json()["error"]["message"]


def test_directory_pipelines_count_towards_the_limit_and_apply(
    start_gateway: GatewayFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "pipelines"
    folder.mkdir()
    (folder / "checkout.yaml").write_text(OWN_CHECKOUT)
    gateway = start_gateway(pipelines_dir=folder)
    source = gateway.create_source()
    created = gateway.create_integration(source["id"])
    track(gateway, source["write_key"], revenue=5, order_id="o-1")
    (step,) = last_trace(gateway)
    assert step["pipeline"] == "big_checkout"
    assert step["origin"] == str(folder / "checkout.yaml")
    for index in range(MAX_PIPELINES_PER_INTEGRATION - 1):
        response = gateway.admin("POST", pipelines_path(created), json={"yaml": numbered(index)})
        assert response.status_code == 201
    refused = gateway.admin("POST", pipelines_path(created), json={"yaml": numbered(99)})
    assert refused.status_code == 409


def test_a_running_server_reloads_the_directory_and_keeps_the_last_good_file(
    start_gateway: GatewayFactory, tmp_path: Path
) -> None:
    folder = tmp_path / "pipelines"
    folder.mkdir()
    path = folder / "checkout.yaml"
    path.write_text(OWN_CHECKOUT)
    gateway = start_gateway(pipelines_dir=folder, pipelines_poll_seconds=0.05)
    source = gateway.create_source()
    gateway.create_integration(source["id"])
    renamed = OWN_CHECKOUT.replace("name: big_checkout", "name: renamed_checkout")
    path.write_text(renamed + "\n")  # the size changes, so the poll sees it whatever the clock

    def mapped_by_renamed() -> bool:
        track(gateway, source["write_key"], revenue=5)
        return bool(last_trace(gateway)[0].get("pipeline") == "renamed_checkout")

    wait_for(mapped_by_renamed)
    path.write_text(renamed.replace("unix_seconds", "unix_second") + "\n\n")
    directory = gateway.gateway.pipelines.directory
    assert directory is not None
    wait_for(lambda: directory._stamps.get(path, (0, 0))[1] == path.stat().st_size)
    track(gateway, source["write_key"], revenue=5)
    assert last_trace(gateway)[0]["pipeline"] == "renamed_checkout"  # the bad edit was refused
