"""Issue 14: a pipeline that would send the same Pinterest event as another for one message is
refused when it is deployed, by the admin API and by the UI, unless marked intended."""

from __future__ import annotations

import html

from tests.support.servers import GatewayFactory, SandboxHandle
from tests.support.ui import UIClient

GA4 = """name: ga4_purchase
trigger:
  event: track
  conditions:
    - {field: event, operator: in, value: [purchase, order_completed]}
transform:
  static:
    - {target: event_name, value: checkout}
  context:
    - {source: context.ip, target: user_data.client_ip_address}
    - {source: context.userAgent, target: user_data.client_user_agent}
"""
PROBLEM = "both send 'checkout' for track calls named 'order completed'"


def test_the_api_and_the_ui_refuse_a_second_checkout_for_order_completed(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    source = gateway.create_source()
    integration_id = gateway.create_integration(source["id"])["id"]
    path = f"/v1/admin/integrations/{integration_id}/pipelines"

    refused = gateway.admin("POST", path, json={"yaml": GA4})
    assert refused.status_code == 422
    assert PROBLEM in refused.json()["error"]["message"]
    assert "'checkout' (presets/checkout.yaml)" in refused.json()["error"]["message"]

    ui = UIClient(gateway.admin_url)
    try:
        ui.login()
        page = f"/pipelines?integration_id={integration_id}"
        shown = ui.post_form(
            "/pipelines/save", {"integration_id": integration_id, "yaml": GA4}, from_page=page
        )
        assert PROBLEM in html.unescape(shown.text)
    finally:
        ui.close()
    assert gateway.admin("GET", path).json() == []

    intended = GA4 + "output:\n  duplicates: intended\n"
    assert gateway.admin("POST", path, json={"yaml": intended}).status_code == 201
    narrowed = GA4.replace("in, value: [purchase, order_completed]", "equals, value: purchase")
    updated = gateway.admin("PUT", f"{path}/ga4_purchase", json={"yaml": narrowed})
    assert updated.status_code == 200
