"""'Send test event': Pinterest's own answer to a sample event, with a hint to fix it."""

from __future__ import annotations

from tests.support.servers import GatewayFactory, SandboxHandle


def test_a_working_integration_gets_a_processed_test_event(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    integration = gateway.create_integration(gateway.create_source()["id"])
    response = gateway.admin("POST", f"/v1/admin/integrations/{integration['id']}/test")
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True
    assert body["http_status"] == 200
    assert body["hint"] is None
    recorded = sandbox.events()
    assert [e["event"]["event_id"] for e in recorded] == [body["sent"]["event_id"]]
    assert recorded[0]["test"] is True


def test_a_wrong_token_gets_pinterests_401_and_a_hint(
    start_gateway: GatewayFactory, sandbox: SandboxHandle
) -> None:
    gateway = start_gateway(pinterest_api_url=f"{sandbox.url}/v5")
    source = gateway.create_source()
    integration = gateway.create_integration(
        source["id"],
        config={"ad_account_id": "549764982399", "conversion_token": "pina_wrong_token_0000000000"},
    )
    body = gateway.admin("POST", f"/v1/admin/integrations/{integration['id']}/test").json()
    assert body["ok"] is False
    assert body["http_status"] == 401
    assert "Ads Manager" in body["hint"]
    assert "pina_wrong_token" not in str(body)
    assert sandbox.events() == []


def test_an_unreachable_pinterest_is_explained(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway(pinterest_api_url="http://127.0.0.1:9/v5")
    integration = gateway.create_integration(gateway.create_source()["id"])
    body = gateway.admin("POST", f"/v1/admin/integrations/{integration['id']}/test").json()
    assert body["ok"] is False
    assert body["http_status"] is None
    assert "PINRELAY_PINTEREST_API_URL" in body["hint"]


def test_an_unknown_integration_is_404(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway()
    assert gateway.admin("POST", "/v1/admin/integrations/int_nope/test").status_code == 404
