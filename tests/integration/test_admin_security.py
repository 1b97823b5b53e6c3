"""Admin tokens and the audit log: created tokens work, revoked ones stop at once, and every
configuration change is recorded with who made it, secrets masked."""

from __future__ import annotations

import httpx

from tests.support.servers import CONVERSION_TOKEN, GatewayFactory


def test_a_created_token_works_until_it_is_revoked(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway()
    created = gateway.admin("POST", "/v1/admin/tokens", json={"name": "deploy"})
    assert created.status_code == 201
    token = created.json()["token"]
    as_token = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{gateway.admin_url}/v1/admin/sources", headers=as_token).status_code == 200

    listed = gateway.admin("GET", "/v1/admin/tokens")
    assert token not in listed.text
    assert listed.json()[0]["active"] is True

    revoked = gateway.admin("DELETE", f"/v1/admin/tokens/{created.json()['id']}")
    assert revoked.status_code == 204
    after = httpx.get(f"{gateway.admin_url}/v1/admin/sources", headers=as_token)
    assert after.status_code == 401
    assert gateway.admin("DELETE", f"/v1/admin/tokens/{created.json()['id']}").status_code == 404


def test_revocation_survives_a_restart(start_gateway: GatewayFactory) -> None:
    gateway = start_gateway()
    created = gateway.admin("POST", "/v1/admin/tokens", json={"name": "old"}).json()
    gateway.admin("DELETE", f"/v1/admin/tokens/{created['id']}")
    kept = gateway.admin("POST", "/v1/admin/tokens", json={"name": "kept"}).json()
    gateway.stop()
    restarted = start_gateway()  # same database file, as after a restart
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert httpx.get(f"{restarted.admin_url}/v1/admin/sources", headers=headers).status_code == 401
    headers = {"Authorization": f"Bearer {kept['token']}"}
    assert httpx.get(f"{restarted.admin_url}/v1/admin/sources", headers=headers).status_code == 200


def test_config_changes_are_audited_with_actor_and_masked_secrets(
    start_gateway: GatewayFactory,
) -> None:
    gateway = start_gateway()
    created = gateway.admin("POST", "/v1/admin/tokens", json={"name": "ops"}).json()
    source = gateway.create_source()
    integration = gateway.create_integration(source["id"])
    ops = {"Authorization": f"Bearer {created['token']}"}
    httpx.patch(
        f"{gateway.admin_url}/v1/admin/integrations/{integration['id']}",
        headers=ops,
        json={"config": {"conversion_token": "pina_rotated_secret_123456"}},
    )

    entries = gateway.admin("GET", "/v1/admin/audit").json()
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("integration.update", created["id"]),
        ("integration.create", "env"),
        ("source.create", "env"),
        ("token.create", "env"),
    ]
    text = gateway.admin("GET", "/v1/admin/audit").text
    for secret in ("pina_rotated_secret_123456", CONVERSION_TOKEN, created["token"]):
        assert secret not in text
