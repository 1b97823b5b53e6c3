"""The management UI over real HTTP: sign-in, sessions, CSRF, and every page answering."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import httpx
import pytest

from pinrelay.ui.sessions import COOKIE_NAME, SessionStore
from tests.support.polling import eventually
from tests.support.servers import (
    AD_ACCOUNT,
    ADMIN_TOKEN,
    CONVERSION_TOKEN,
    GatewayFactory,
    GatewayHandle,
    SandboxHandle,
)
from tests.support.ui import UIClient, csrf_of


@pytest.fixture
def gateway(start_gateway: GatewayFactory, sandbox: SandboxHandle) -> GatewayHandle:
    return start_gateway(pinterest_api_url=f"{sandbox.url}/v5")


@pytest.fixture
def ui(gateway: GatewayHandle) -> Iterator[UIClient]:
    client = UIClient(gateway.admin_url)
    yield client
    client.close()


@pytest.fixture
def signed_in(ui: UIClient) -> UIClient:
    assert ui.login().status_code == 303
    return ui


def sessions_of(gateway: GatewayHandle) -> SessionStore:
    app: Any = gateway.gateway.admin_server.config.app  # the admin FastAPI app
    sessions: SessionStore = app.state.ui_sessions
    return sessions


# sign-in ---------------------------------------------------------------------------------


def test_pages_redirect_to_the_login_page_without_a_session(ui: UIClient) -> None:
    response = ui.get("/events?type=track")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fevents%3Ftype%3Dtrack"
    assert ui.get("/login").status_code == 200


def test_a_wrong_token_is_refused_and_not_echoed(ui: UIClient) -> None:
    response = ui.login("not-the-token-but-a-secret")
    assert response.status_code == 200  # the form again, with the error marked
    assert "not accepted" in response.text
    assert "not-the-token-but-a-secret" not in response.text
    assert COOKIE_NAME not in response.cookies


def test_sign_in_sets_an_httponly_strict_cookie_that_is_not_the_token(
    ui: UIClient, gateway: GatewayHandle
) -> None:
    response = ui.login()
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert ADMIN_TOKEN not in cookie
    assert ui.get("/").status_code == 200


def test_a_created_admin_token_signs_in_and_revoking_it_ends_the_session(
    ui: UIClient, gateway: GatewayHandle
) -> None:
    created = gateway.admin("POST", "/v1/admin/tokens", json={"name": "ops"}).json()
    assert ui.login(created["token"]).status_code == 303
    assert ui.get("/sources").status_code == 200
    gateway.admin("DELETE", f"/v1/admin/tokens/{created['id']}")
    assert ui.get("/sources").status_code == 303


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(ui: UIClient) -> None:
    response = ui.http.post("/login", data={"token": ADMIN_TOKEN, "next": "/events"})
    assert response.headers["location"] == "/events"
    response = ui.http.post("/login", data={"token": ADMIN_TOKEN, "next": "//evil.example/x"})
    assert response.headers["location"] == "/"


def test_a_cross_site_login_post_is_refused(ui: UIClient) -> None:
    response = ui.http.post(
        "/login", data={"token": ADMIN_TOKEN}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert COOKIE_NAME not in response.cookies


# sessions ----------------------------------------------------------------------------------


def test_logout_ends_the_session_on_the_server(signed_in: UIClient) -> None:
    cookie = signed_in.http.cookies[COOKIE_NAME]
    response = signed_in.post_form("/logout", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    base = str(signed_in.http.base_url).rstrip("/")
    replayed = httpx.get(f"{base}/sources", cookies={COOKIE_NAME: cookie}, follow_redirects=False)
    assert replayed.status_code == 303
    assert replayed.headers["location"].startswith("/login")


def test_an_idle_session_expires(signed_in: UIClient, gateway: GatewayHandle) -> None:
    sessions = sessions_of(gateway)
    real_clock = sessions.clock
    sessions.clock = lambda: real_clock() + sessions.idle_seconds + 1
    try:
        assert signed_in.get("/").status_code == 303
    finally:
        sessions.clock = real_clock


def test_an_unknown_session_cookie_is_a_signed_out_visitor(ui: UIClient) -> None:
    ui.http.cookies.set(COOKIE_NAME, "made-up")
    assert ui.get("/").status_code == 303


def test_scripts_get_401_json_when_signed_out(ui: UIClient) -> None:
    response = ui.get("/events/feed", headers={"Accept": "application/json"})
    assert response.status_code == 401


# CSRF -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/sources", {"name": "Forged"}),
        ("/logout", {}),
        ("/pipelines/dry-run", {"event": "{}"}),
    ],
)
def test_a_form_without_the_session_csrf_token_is_refused(
    signed_in: UIClient, gateway: GatewayHandle, path: str, data: dict[str, str]
) -> None:
    missing = signed_in.http.post(path, data=data)
    wrong = signed_in.http.post(path, data={**data, "csrf_token": "guessed"})
    assert missing.status_code == 403
    assert wrong.status_code == 403
    assert "refused" in wrong.text
    assert [s["name"] for s in gateway.admin("GET", "/v1/admin/sources").json()] == []
    assert signed_in.get("/").status_code == 200  # still signed in


def test_another_sessions_csrf_token_does_not_work(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    other = UIClient(gateway.admin_url)
    try:
        other.login()
        token = other.csrf()
        response = signed_in.http.post("/sources", data={"name": "X", "csrf_token": token})
        assert response.status_code == 403
    finally:
        other.close()


# pages ----------------------------------------------------------------------------------


def test_setup_flow_source_integration_and_test_event(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    created = signed_in.post_form("/sources", {"name": "Website"})
    assert created.status_code == 303
    page = signed_in.get(created.headers["location"])
    write_key = re.search(r'id="write-key" readonly value="([^"]+)"', page.text)
    assert write_key, "the write key is shown after creation"
    assert f'Client("{write_key.group(1)}"' in page.text
    assert gateway.collect_url in page.text
    again = signed_in.get(created.headers["location"])
    assert write_key.group(1) not in again.text  # shown once

    source_id = created.headers["location"].rsplit("/", 1)[1]
    bad = signed_in.post_form(
        "/integrations",
        {
            "source_id": source_id,
            "name": "Pinterest",
            "ad_account_id": "12-34",
            "conversion_token": CONVERSION_TOKEN,
        },
        from_page="/integrations/new",
    )
    assert bad.status_code == 200
    assert "Please fix the fields" in bad.text
    assert "Tag ID" in bad.text
    assert 'aria-invalid="true"' in bad.text
    assert CONVERSION_TOKEN not in bad.text

    good = signed_in.post_form(
        "/integrations",
        {
            "source_id": source_id,
            "name": "Pinterest",
            "ad_account_id": AD_ACCOUNT,
            "conversion_token": CONVERSION_TOKEN,
            "consent_categories": "advertising, analytics",
            "test_mode": "on",
        },
        from_page="/integrations/new",
    )
    assert good.status_code == 303
    integration_id = good.headers["location"].rsplit("/", 1)[1]
    stored = gateway.admin("GET", f"/v1/admin/integrations/{integration_id}").json()
    assert stored["consent_categories"] == ["advertising", "analytics"]
    assert stored["test_mode"] is True

    tested = signed_in.post_form(
        f"/integrations/{integration_id}/test", {}, from_page=good.headers["location"]
    )
    assert tested.status_code == 200
    assert "It works." in tested.text
    assert CONVERSION_TOKEN not in tested.text

    audit = gateway.admin("GET", "/v1/admin/audit").json()
    assert {e["actor"] for e in audit} == {"env"}


def test_test_event_with_a_wrong_token_shows_pinterests_answer_and_the_fix(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    source = gateway.create_source()
    integration = gateway.create_integration(
        source["id"], config={"ad_account_id": AD_ACCOUNT, "conversion_token": "wrong-token"}
    )
    page = f"/integrations/{integration['id']}"
    tested = signed_in.post_form(f"{page}/test", {}, from_page=page)
    assert "It did not work." in tested.text
    assert "401" in tested.text
    assert "generate a new one in Ads Manager" in tested.text


@pytest.mark.parametrize(
    "path",
    ["/", "/sources", "/integrations", "/integrations/new", "/events", "/deliveries", "/pipelines"],
)
def test_every_page_renders_for_a_signed_in_user(signed_in: UIClient, path: str) -> None:
    response = signed_in.get(path)
    assert response.status_code == 200, response.text
    assert "<main" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


def test_pages_of_things_show_them(signed_in: UIClient, gateway: GatewayHandle) -> None:
    source = gateway.create_source("Shop")
    integration = gateway.create_integration(source["id"])
    httpx.post(
        f"{gateway.collect_url}/v1/track",
        json={
            "userId": "u1",
            "event": "Order Completed",
            "properties": {"order_id": "o1", "revenue": 10, "currency": "EUR"},
            "context": {"ip": "203.0.113.9", "userAgent": "Mozilla/5.0", "traits": {}},
        },
        auth=(source["write_key"], ""),
    ).raise_for_status()
    events = gateway.admin("GET", "/v1/admin/events").json()
    seq = events[0]["seq"]
    assert signed_in.get(f"/sources/{source['id']}").status_code == 200
    detail = signed_in.get(f"/integrations/{integration['id']}")
    assert detail.status_code == 200
    assert CONVERSION_TOKEN not in detail.text
    event = signed_in.get(f"/events/{seq}")
    assert event.status_code == 200
    assert "checkout" in event.text
    assert "client_ip_address" in event.text
    assert "exactly as built at ingest" in event.text  # the queue entry's own payload
    deliveries = signed_in.get(f"/deliveries?integration_id={integration['id']}")
    assert "checkout" in deliveries.text
    feed = signed_in.get("/events/feed?after=0", headers={"Accept": "application/json"}).json()
    assert [e["seq"] for e in feed["events"]] == [seq]
    data = signed_in.get("/dashboard/data", headers={"Accept": "application/json"}).json()
    (item,) = data["integrations"]
    assert item["totals"]["received"] == 1
    assert item["totals"]["queued"] == 1
    dashboard = signed_in.get("/")
    assert "Match quality: score" in dashboard.text
    assert "<code>em</code>" in dashboard.text
    assert signed_in.get("/events/999999").status_code == 404
    assert signed_in.get("/sources/src_nope").status_code == 404


def test_the_dashboard_says_when_an_integration_is_paused(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    source = gateway.create_source()
    integration = gateway.create_integration(
        source["id"], config={"ad_account_id": AD_ACCOUNT, "conversion_token": "wrong-token"}
    )
    httpx.post(
        f"{gateway.collect_url}/v1/track",
        json={
            "userId": "u1",
            "event": "Order Completed",
            "context": {"ip": "203.0.113.9", "userAgent": "Mozilla/5.0"},
        },
        auth=(source["write_key"], ""),
    ).raise_for_status()
    path = f"/v1/admin/integrations/{integration['id']}"
    assert eventually(lambda: gateway.admin("GET", path).json()["status"] == "paused")
    page = signed_in.get("/")
    assert "is paused" in page.text
    assert "generate a new one in Ads Manager" in page.text


def test_pipelines_dry_run_shows_the_pinterest_event_or_why_not(signed_in: UIClient) -> None:
    page = signed_in.get("/pipelines")
    assert "checkout.yaml" in page.text
    token = csrf_of(page.text)
    ok = signed_in.http.post(
        "/pipelines/dry-run",
        data={
            "csrf_token": token,
            "event": '{"type": "track", "event": "Order Completed", "messageId": "m1", '
            '"timestamp": "2026-01-01T00:00:00Z", "context": {"ip": "203.0.113.1", '
            '"userAgent": "UA"}, "properties": {"revenue": 5, "currency": "EUR"}}',
        },
    )
    assert "would be queued" in ok.text
    assert "&#34;event_name&#34;: &#34;checkout&#34;" in ok.text or "checkout" in ok.text
    broken = signed_in.http.post("/pipelines/dry-run", data={"csrf_token": token, "event": "{"})
    assert "not valid JSON" in broken.text
    unmatched = signed_in.http.post(
        "/pipelines/dry-run", data={"csrf_token": token, "event": '{"type": "alias"}'}
    )
    assert "No pipeline matched" in unmatched.text


def test_pipelines_page_shows_yaml_problems_inline(signed_in: UIClient) -> None:
    token = csrf_of(signed_in.get("/pipelines").text)
    response = signed_in.http.post(
        "/pipelines/dry-run",
        data={"csrf_token": token, "event": "{}", "pipeline_yaml": "name: x\ntrigger: 3\n"},
    )
    assert response.status_code == 200
    assert 'id="yaml-problems"' in response.text
    assert 'class="bad"' in response.text
    assert "nothing was run" in response.text


def test_the_debugger_filters_like_the_api(signed_in: UIClient, gateway: GatewayHandle) -> None:
    source = gateway.create_source()
    for user in ("alice", "bob"):
        httpx.post(
            f"{gateway.collect_url}/v1/track",
            json={"userId": user, "event": "Signed Up"},
            auth=(source["write_key"], ""),
        ).raise_for_status()
    page = signed_in.get("/events?user_id=alice&type=track&outcome=")
    assert ">alice<" in page.text
    assert ">bob<" not in page.text
    feed = signed_in.get(
        "/events/feed?after=0&user_id=bob", headers={"Accept": "application/json"}
    ).json()
    assert [e["user"] for e in feed["events"]] == ["bob"]


def test_rotating_a_write_key_shows_the_new_one_once_and_stops_the_old(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    source = gateway.create_source()
    page = f"/sources/{source['id']}"
    rotated = signed_in.post_form(f"{page}/rotate-key", {}, from_page=page)
    assert rotated.status_code == 303
    shown = signed_in.get(page).text
    new_key = re.search(r'id="write-key" readonly value="([^"]+)"', shown)
    assert new_key
    assert new_key.group(1) != source["write_key"]
    assert new_key.group(1) not in signed_in.get(page).text
    event = {"userId": "u1", "event": "Signed Up"}
    old = httpx.post(f"{gateway.collect_url}/v1/track", json=event, auth=(source["write_key"], ""))
    new = httpx.post(f"{gateway.collect_url}/v1/track", json=event, auth=(new_key.group(1), ""))
    assert old.status_code == 401
    assert new.status_code == 200


def test_a_source_takes_a_default_country_checked_like_the_api(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    bad = signed_in.post_form("/sources", {"name": "UK shop", "default_country": "XX"})
    assert bad.status_code == 200
    assert 'id="default_country-error"' in bad.text
    good = signed_in.post_form("/sources", {"name": "UK shop", "default_country": "gb"})
    assert good.status_code == 303
    (source,) = gateway.admin("GET", "/v1/admin/sources").json()
    assert source["default_country"] == "GB"


def test_an_integrations_own_pipeline_is_saved_checked_dry_run_and_deleted(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    source = gateway.create_source()
    integration_id = gateway.create_integration(source["id"])["id"]
    page = f"/pipelines?integration_id={integration_id}"
    preset = (files("pinrelay.pipeline") / "presets" / "checkout.yaml").read_text()

    broken = signed_in.post_form(
        "/pipelines/save",
        {"integration_id": integration_id, "yaml": preset.replace("unix_seconds", "unix_second")},
        from_page=page,
    )
    assert broken.status_code == 200
    assert "Not saved" in broken.text
    assert 'id="save-problems"' in broken.text
    assert "unix_seconds" in broken.text  # the did-you-mean, on its line
    assert gateway.admin("GET", f"/v1/admin/integrations/{integration_id}/pipelines").json() == []

    mine = preset.replace("value: checkout", "value: lead", 1)
    saved = signed_in.post_form(
        "/pipelines/save", {"integration_id": integration_id, "yaml": mine}, from_page=page
    )
    assert saved.status_code == 303
    assert "Pipeline saved" in signed_in.get(saved.headers["location"]).text
    stored = gateway.admin("GET", f"/v1/admin/integrations/{integration_id}/pipelines").json()
    assert [(p["name"], p["version"]) for p in stored] == [("checkout", 1)]

    order = '{"type": "track", "event": "Order Completed", "messageId": "m1", "context": {"ip": "203.0.113.1", "userAgent": "UA"}}'  # noqa: E501
    run = signed_in.post_form(
        "/pipelines/dry-run", {"integration_id": integration_id, "event": order}, from_page=page
    )
    assert "&#34;event_name&#34;: &#34;lead&#34;" in run.text

    deleted = signed_in.post_form(
        "/pipelines/delete", {"integration_id": integration_id, "name": "checkout"}, from_page=page
    )
    assert deleted.status_code == 303
    assert gateway.admin("GET", f"/v1/admin/integrations/{integration_id}/pipelines").json() == []


def test_the_tag_id_field_refuses_the_ad_account_id(
    signed_in: UIClient, gateway: GatewayHandle
) -> None:
    source = gateway.create_source()
    form = signed_in.get("/integrations/new").text
    assert 'id="tag_id"' in form  # IntegrationSettings has tag_id: the field is shown
    same = signed_in.post_form(
        "/integrations",
        {
            "source_id": source["id"],
            "name": "Pinterest",
            "ad_account_id": AD_ACCOUNT,
            "tag_id": AD_ACCOUNT,
            "conversion_token": CONVERSION_TOKEN,
        },
        from_page="/integrations/new",
    )
    assert "The Tag ID is not the Ad Account ID" in same.text
    assert gateway.admin("GET", "/v1/admin/integrations").json() == []
    ok = signed_in.post_form(
        "/integrations",
        {
            "source_id": source["id"],
            "name": "Pinterest",
            "ad_account_id": AD_ACCOUNT,
            "tag_id": "2612345678901",
            "conversion_token": CONVERSION_TOKEN,
        },
        from_page="/integrations/new",
    )
    assert ok.status_code == 303
    (stored,) = gateway.admin("GET", "/v1/admin/integrations").json()
    assert stored["settings"]["tag_id"] == "2612345678901"
