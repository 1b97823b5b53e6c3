"""Guessing admin tokens does not pay (issue 13, item 6): failed bearer tokens and sign-ins
are throttled per client with 429 + Retry-After and logged without the token, a weak
PINRELAY_ADMIN_TOKEN stops the start, and revoking a token revokes what it created."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from structlog.testing import capture_logs

from pinrelay.app import Gateway
from pinrelay.errors import ConfigError
from pinrelay.services.throttle import MAX_FAILURES
from pinrelay.settings import Settings
from tests.support.servers import ADMIN_TOKEN, GatewayFactory, GatewayHandle

ATTACKER = "198.51.100.66"
COLLEAGUE = "198.51.100.7"
GUESS = "guess-0123456789abcdef"


@pytest.fixture
def gateway(start_gateway: GatewayFactory) -> GatewayHandle:
    # 127.0.0.1 plays the reverse proxy: its X-Forwarded-For names the client
    return start_gateway(trusted_proxies=["127.0.0.1"])


def _get(gateway: GatewayHandle, token: str, client: str) -> httpx.Response:
    return httpx.get(
        f"{gateway.admin_url}/v1/admin/sources",
        headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": client},
    )


def test_a_client_guessing_tokens_is_throttled_and_logged_without_the_token(
    gateway: GatewayHandle,
) -> None:
    with capture_logs() as logs:
        answers = [_get(gateway, f"{GUESS}{i}", ATTACKER).status_code for i in range(MAX_FAILURES)]
        throttled = _get(gateway, GUESS, ATTACKER)
        right_token_too = _get(gateway, ADMIN_TOKEN, ATTACKER)
    assert answers == [401] * MAX_FAILURES
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["retry-after"]) <= 60
    assert "try again in" in throttled.json()["error"]["message"]
    assert right_token_too.status_code == 429  # or the guessing could go on
    assert _get(gateway, ADMIN_TOKEN, COLLEAGUE).status_code == 200  # per client
    failures = [entry for entry in logs if entry.get("action") == "admin.auth_failed"]
    assert len(failures) == MAX_FAILURES
    assert {entry["client"] for entry in failures} == {ATTACKER}
    assert GUESS not in repr(logs)


def test_failed_ui_sign_ins_are_throttled_too(gateway: GatewayHandle) -> None:
    with httpx.Client(base_url=gateway.admin_url, headers={"X-Forwarded-For": ATTACKER}) as ui:
        answers = [
            ui.post("/login", data={"token": f"{GUESS}{i}"}).status_code
            for i in range(MAX_FAILURES)
        ]
        throttled = ui.post("/login", data={"token": ADMIN_TOKEN})
    assert answers == [200] * MAX_FAILURES  # the form again, with its error
    assert throttled.status_code == 429
    assert "retry-after" in throttled.headers
    assert "pinrelay_session" not in throttled.headers.get("set-cookie", "")


@pytest.mark.parametrize("weak", ["a", "changeme", "1234567890123456", "x" * 40])
def test_a_weak_admin_token_stops_the_start(tmp_path: Path, weak: str) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'pinrelay.db'}",
        admin_token=weak,
        secret_key_file=tmp_path / "pinrelay.key",
    )
    with pytest.raises(ConfigError, match="PINRELAY_ADMIN_TOKEN is too weak") as raised:
        Gateway(settings)
    assert weak not in str(raised.value) or len(weak) < 3
    assert "token_urlsafe" in str(raised.value)


def test_revoking_a_token_revokes_the_tokens_it_created(gateway: GatewayHandle) -> None:
    def create(token: str, name: str) -> dict[str, str]:
        response = httpx.post(
            f"{gateway.admin_url}/v1/admin/tokens",
            headers={"Authorization": f"Bearer {token}"},
            json={"name": name},
        )
        assert response.status_code == 201
        created: dict[str, str] = response.json()
        return created

    leaked = create(ADMIN_TOKEN, "leaked")
    child = create(leaked["token"], "made by the leaked token")
    grandchild = create(child["token"], "made by that one")
    unrelated = create(ADMIN_TOKEN, "ci")
    assert gateway.admin("DELETE", f"/v1/admin/tokens/{leaked['id']}").status_code == 204
    for token in (leaked, child, grandchild):
        assert _get(gateway, token["token"], COLLEAGUE).status_code == 401
    assert _get(gateway, unrelated["token"], COLLEAGUE).status_code == 200
    audit = gateway.admin("GET", "/v1/admin/audit").json()
    revoked = {e["target"] for e in audit if e["action"] == "token.revoke"}
    assert revoked == {leaked["id"], child["id"], grandchild["id"]}
