"""Issue 14: every integration setting is editable in the UI, with the API's validation, and
a preset turned off there stops sending its event."""

from __future__ import annotations

import html
from collections.abc import Iterator

import httpx
import pytest

from pinrelay.pipeline.presets import preset_names
from tests.support.servers import GatewayFactory, GatewayHandle, SandboxHandle
from tests.support.ui import UIClient

UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1"


@pytest.fixture
def gateway(start_gateway: GatewayFactory, sandbox: SandboxHandle) -> GatewayHandle:
    return start_gateway(pinterest_api_url=f"{sandbox.url}/v5")


@pytest.fixture
def signed_in(gateway: GatewayHandle) -> Iterator[UIClient]:
    client = UIClient(gateway.admin_url)
    assert client.login().status_code == 303
    yield client
    client.close()


def _form(integration: dict[str, object], **changes: str) -> dict[str, str]:
    """The edit form as the page submits it: every preset on, the defaults, then `changes`."""
    form = {
        "name": str(integration["name"]),
        "enabled": "on",
        "custom_events": "on",
        "advanced": "1",
        "presets": "on",
        "opt_out_from_device": "on",
        "consent_denied": "drop",
        "ldp": "flagged",
        "ldp_hash_case": "both",
        "app_fields": "objects",
        "partner_name": "",
        **{f"preset:{name}": "on" for name in preset_names()},
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value != "-"}


def test_every_integration_setting_is_saved_from_the_page(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    source = gateway.create_source()
    integration = gateway.create_integration(source["id"])
    page = f"/integrations/{integration['id']}"
    shown = html.unescape(signed_in.get(page).text)
    for name in ("ldp_hash_case", "consent_denied", "app_fields", "partner_name", "preset:lead"):
        assert f'name="{name}"' in shown

    saved = signed_in.post_form(
        page,
        _form(
            integration,
            **{"preset:page_visit": "-", "preset:screen_view": "-"},
            opt_out_from_device="-",
            anonymous_id_as_external_id="on",
            consent_denied="opt_out",
            ldp="all",
            ldp_hash_case="lowercase",
            app_fields="legacy",
            partner_name="direct",
        ),
        from_page=page,
    )
    assert saved.status_code == 303
    settings = gateway.admin("GET", f"/v1/admin/integrations/{integration['id']}").json()[
        "settings"
    ]
    assert settings["disabled_presets"] == ["page_visit", "screen_view"]
    assert settings["opt_out_from_device"] is False
    assert settings["anonymous_id_as_external_id"] is True
    assert (settings["consent_denied"], settings["ldp"], settings["ldp_hash_case"]) == (
        "opt_out",
        "all",
        "lowercase",
    )
    assert settings["app_fields"] == "legacy"
    assert settings["partner_name"] == "direct"


def test_a_bad_setting_gets_the_api_message_and_nothing_is_saved(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    source = gateway.create_source()
    integration = gateway.create_integration(source["id"])
    page = f"/integrations/{integration['id']}"
    refused = signed_in.post_form(
        page, _form(integration, partner_name="ss-My Shop", ldp="sometimes"), from_page=page
    )
    text = html.unescape(refused.text)
    assert refused.status_code == 200
    assert "the 'ss-<partner>' name Pinterest gave you" in text
    assert 'id="ldp"' in text
    api = gateway.admin(
        "PATCH",
        f"/v1/admin/integrations/{integration['id']}",
        json={"settings": {"partner_name": "ss-My Shop"}},
    )
    assert api.status_code == 422
    assert "the 'ss-<partner>' name Pinterest gave you" in api.text
    settings = gateway.admin("GET", f"/v1/admin/integrations/{integration['id']}").json()[
        "settings"
    ]
    assert settings.get("partner_name") is None


def test_a_preset_turned_off_sends_nothing_and_the_others_still_send(
    signed_in: UIClient, gateway: GatewayHandle, sandbox: SandboxHandle
) -> None:
    source = gateway.create_source()
    integration = gateway.create_integration(source["id"])
    page = f"/integrations/{integration['id']}"
    off = signed_in.post_form(
        page,
        _form(integration, **{"preset:page_visit": "-"}, partner_name="direct"),
        from_page=page,
    )
    assert off.status_code == 303
    context = {"ip": "81.2.69.142", "userAgent": UA}
    batch = [
        {"type": "page", "userId": "u1", "context": context},
        {"type": "track", "event": "Signed Up", "userId": "u1", "context": context},
    ]
    sent = httpx.post(
        f"{gateway.collect_url}/v1/batch", auth=(source["write_key"], ""), json={"batch": batch}
    )
    assert sent.status_code == 200
    (delivered,) = sandbox.wait_for_events(1)
    assert delivered["event"]["event_name"] == "signup"
    assert delivered["event"]["partner_name"] == "direct"
    events = gateway.admin("GET", "/v1/admin/events", params={"source_id": source["id"]}).json()
    page_trace = next(e["trace"][0] for e in events if e["type"] == "page")
    assert page_trace["outcome"] == "no_pipeline"
