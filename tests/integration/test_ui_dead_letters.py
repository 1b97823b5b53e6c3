"""Dead letters in the UI: listed with Pinterest's reason; replay one, a selection, or all."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.integration.test_delivery_faults import inject, new_ids, send_orders, settled
from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle
from tests.support.ui import UIClient


@pytest.fixture
def gateway(start_gateway: GatewayFactory, sandbox: SandboxHandle) -> GatewayHandle:
    return start_gateway(pinterest_api_url=f"{sandbox.url}/v5")


@pytest.fixture
def ui(gateway: GatewayHandle) -> Iterator[UIClient]:
    client = UIClient(gateway.admin_url)
    assert client.login().status_code == 303
    yield client
    client.close()


def test_replay_one_a_selection_then_all_from_the_deliveries_page(
    ui: UIClient, gateway: GatewayHandle, sandbox: SandboxHandle
) -> None:
    source = gateway.create_source()
    integration_id = gateway.create_integration(source["id"])["id"]
    ids = new_ids(4)
    inject(sandbox, status=422, fail_event_ids=ids, share=1.0)
    send_orders(gateway, source["write_key"], 4, ids)
    settled(gateway, integration_id, ids)
    httpx.delete(f"{sandbox.url}/_sandbox/faults")  # the cause is fixed

    page = f"/deliveries?integration_id={integration_id}&status=dead"
    listed = ui.get(page).text
    assert "Event failed (injected by the pinrelay sandbox)." in listed
    dead = gateway.admin("GET", "/v1/admin/dead-letters").json()["entries"]
    seq_of = {e["event_id"]: e["seq"] for e in dead}

    # A row's own button replays that row only, even with others ticked.
    one = ui.post_form(
        "/deliveries/replay",
        {"integration_id": integration_id, "one": str(seq_of[ids[0]]), "seq": str(seq_of[ids[1]])},
        from_page=page,
    )
    assert one.status_code == 303
    assert "1 event(s) queued again." in ui.get(one.headers["location"]).text
    assert settled(gateway, integration_id, ids)[ids[1]]["status"] == "dead"

    selection = ui.http.post(
        "/deliveries/replay",
        data={
            "csrf_token": ui.csrf(page),
            "integration_id": integration_id,
            "seq": [str(seq_of[ids[1]]), str(seq_of[ids[2]])],
        },
    )
    assert "2 event(s) queued again." in ui.get(selection.headers["location"]).text
    found = settled(gateway, integration_id, ids)
    assert [found[i]["status"] for i in ids] == ["delivered", "delivered", "delivered", "dead"]

    everything = ui.post_form(
        "/deliveries/replay", {"integration_id": integration_id, "scope": "all"}, from_page=page
    )
    assert "1 event(s) queued again." in ui.get(everything.headers["location"]).text
    assert {s["status"] for s in settled(gateway, integration_id, ids).values()} == {"delivered"}
    assert "No dead letter" in ui.get(page).text


def test_replay_without_a_selection_says_so(ui: UIClient, gateway: GatewayHandle) -> None:
    source = gateway.create_source()
    integration_id = gateway.create_integration(source["id"])["id"]
    page = f"/deliveries?integration_id={integration_id}"
    nothing = ui.post_form("/deliveries/replay", {"integration_id": integration_id}, from_page=page)
    assert "Tick at least one dead event" in ui.get(nothing.headers["location"]).text
    refused = ui.http.post("/deliveries/replay", data={"integration_id": integration_id})
    assert refused.status_code == 403
