"""The issue's "Done when" journey in a real browser: set up Pinterest, watch events, break
and fix the token. Each page is saved as a screenshot under artifacts/screenshots/."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect
from segment.analytics import Client

from tests.browser_ui.conftest import screenshot
from tests.integration.test_delivery_faults import inject, new_ids, settled
from tests.integration.test_delivery_faults import send_orders as send_fault_orders
from tests.support.servers import (
    AD_ACCOUNT,
    ADMIN_TOKEN,
    CONVERSION_TOKEN,
    GatewayHandle,
    SandboxHandle,
)

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)
UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"


def menu(page: Page, label: str) -> Locator:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=label)


def sign_in_with_the_keyboard(page: Page, url: str) -> None:
    page.goto(f"{url}/login")
    expect(page.locator("#token")).to_be_focused()  # autofocus: no click needed
    page.keyboard.type(ADMIN_TOKEN)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def send_orders(gateway: GatewayHandle, write_key: str, count: int, first: int = 0) -> None:
    """Orders sent the way a backend would: segment-analytics-python, flushed."""
    client = Client(write_key, host=gateway.collect_url, max_retries=1)
    for n in range(first, first + count):
        client.track(
            f"user-{n}",
            "Order Completed",
            context={"ip": "198.51.100.23", "userAgent": UA, "traits": {"email": f"u{n}@ex.com"}},
            properties={"order_id": f"ord-{n}", "revenue": 10 + n, "currency": "EUR"},
        )
    client.flush()
    client.join()


def until(page: Page, path: str, ready: Callable[[Page], bool], timeout: float = 20) -> None:
    """Reload a server-rendered page until it shows what we wait for (the worker is async)."""
    deadline = time.monotonic() + timeout
    page.goto(path)
    while not ready(page):
        assert time.monotonic() < deadline, f"{path} never showed the expected state"
        page.wait_for_timeout(250)
        page.reload()


def test_set_up_watch_break_and_fix_pinterest(
    page: Page, context: BrowserContext, gateway: GatewayHandle, sandbox: SandboxHandle
) -> None:
    url = gateway.admin_url
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    sign_in_with_the_keyboard(page, url)
    screenshot(page, "01-dashboard-empty")

    # Sources: create one; the write key is shown once, with a copy button and the snippet.
    menu(page, "Sources").click()
    page.get_by_label("Name").fill("Website")
    page.get_by_role("button", name="Create source").click()
    expect(page.get_by_role("heading", name="Write key (shown once)")).to_be_visible()
    write_key = page.locator("#write-key").input_value()
    page.locator("html[data-ui-ready]").wait_for(state="attached")
    page.locator('[data-copy="write-key"]').click()
    expect(page.locator('[data-copy="write-key"]')).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == write_key
    expect(page.locator("#snippet-python")).to_contain_text(gateway.collect_url)
    screenshot(page, "02-source-created")

    # Integrations > Add > Pinterest Ads, with inline validation of the ad account.
    page.get_by_role("link", name="Add Pinterest Ads").click()
    page.locator("html[data-ui-ready]").wait_for(state="attached")  # ui.js listens now
    account = page.get_by_label("Ad Account ID")
    account.fill("26x1234")
    expect(page.locator("#ad_account_id-live")).to_contain_text("Digits only")
    expect(page.locator("#ad_account_id-live")).to_contain_text("Tag ID is not the Ad Account ID")
    screenshot(page, "03-integration-inline-validation")
    account.fill(AD_ACCOUNT)
    expect(page.locator("#ad_account_id-live")).to_be_empty()
    page.get_by_label("Conversion access token").fill(CONVERSION_TOKEN)
    page.get_by_role("button", name="Create integration").click()
    expect(page.locator(".flash")).to_contain_text("created")
    integration_path = page.url.removeprefix(url)

    # Send test event: Pinterest's (the sandbox's) answer.
    page.get_by_role("button", name="Send test event").click()
    expect(page.locator("#test-result")).to_contain_text("It works.")
    screenshot(page, "04-integration-test-event")

    # The debugger lists events live as the SDK sends them; open one.
    menu(page, "Event debugger").click()
    expect(page.locator("#live-status")).to_be_visible()
    send_orders(gateway, write_key, 3)
    expect(page.locator("#events-body tr")).to_have_count(3)
    expect(page.locator("#live-status")).to_contain_text("new event")
    screenshot(page, "05-event-debugger")
    page.locator("#events-body tr").first.get_by_role("link").last.click()
    expect(page.get_by_role("heading", name="Journey")).to_be_visible()
    expect(page.locator(".step")).to_contain_text("checkout")
    expect(page.locator(".step")).to_contain_text("Pinterest payload")
    expect(page.locator(".step")).to_contain_text("em")
    screenshot(page, "06-event-journey")

    # The dashboard chart moves as more events arrive.
    menu(page, "Dashboard").click()
    expect(page.locator(".chart canvas").first).to_be_attached()
    queued = page.locator('[data-total="queued"]').first
    expect(queued).to_have_text("3")
    send_orders(gateway, write_key, 2, first=3)
    expect(queued).to_have_text("5")
    expect(page.locator('[data-total="received"]').first).to_have_text("5")
    screenshot(page, "07-dashboard-chart")

    # Break the token: the worker's next send gets 401, the integration pauses with a hint.
    page.goto(url + integration_path)
    page.get_by_label("Conversion access token").fill("not-the-right-token")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("saved")
    send_orders(gateway, write_key, 1, first=5)
    until(page, url + integration_path, lambda p: p.locator("#paused-heading").count() > 0)
    expect(page.get_by_role("alert")).to_contain_text("generate a new one in Ads Manager")
    screenshot(page, "08-integration-paused")
    page.goto(url + "/")
    expect(page.locator("#alerts")).to_contain_text("is paused")
    screenshot(page, "09-dashboard-paused")

    # Fix it: delivery resumes and the waiting event reaches Pinterest.
    page.goto(url + integration_path)
    page.get_by_label("Conversion access token").fill(CONVERSION_TOKEN)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("saved")
    expect(page.locator("h1 .badge")).to_have_text("active")
    integration_id = integration_path.rsplit("/", 1)[1]
    until(
        page,
        f"{url}/deliveries?integration_id={integration_id}",
        lambda p: p.locator(".counts dd").first.inner_text() == "0",
    )
    expect(page.locator(".counts")).to_contain_text("6")
    screenshot(page, "10-deliveries-resumed")
    assert len(sandbox.wait_for_events(6)) >= 6

    # Pipelines: presets and a dry run.
    menu(page, "Pipelines").click()
    page.get_by_role("button", name="Dry run").click()
    expect(page.locator("#dry-run-result")).to_contain_text("would be queued")
    screenshot(page, "11-pipelines-dry-run")

    # Readable on a phone: nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    pages = ("/", "/sources", "/integrations", "/integrations/new", integration_path)
    for path in (*pages, "/events", "/events/1", "/deliveries", "/pipelines"):
        page.goto(url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways on a phone"
    page.goto(url + "/")
    screenshot(page, "12-dashboard-phone")
    page.goto(url + "/events")
    screenshot(page, "13-event-debugger-phone")


def test_a_form_works_with_the_keyboard_only(page: Page, gateway: GatewayHandle) -> None:
    sign_in_with_the_keyboard(page, gateway.admin_url)
    page.goto(f"{gateway.admin_url}/sources")
    for _ in range(40):  # Tab through the page until the field has focus
        if page.evaluate("document.activeElement && document.activeElement.id") == "name":
            break
        page.keyboard.press("Tab")
    expect(page.locator("#name")).to_be_focused()
    page.keyboard.type("Keyboard shop")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Source: Keyboard shop")).to_be_visible()
    page.keyboard.press("Tab")  # the skip link comes first, and takes you to the content
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    sources = gateway.admin("GET", "/v1/admin/sources").json()
    assert [s["name"] for s in sources] == ["Keyboard shop"]


def test_signed_out_pages_have_no_console_errors(page: Page, gateway: GatewayHandle) -> None:
    page.goto(f"{gateway.admin_url}/events")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Admin token").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not accepted")
    screenshot(page, "00-login-refused")


def test_dead_letters_are_replayed_from_the_deliveries_page(
    page: Page, gateway: GatewayHandle, sandbox: SandboxHandle
) -> None:
    source = gateway.create_source()
    integration = gateway.create_integration(source["id"])
    ids = new_ids(3)
    inject(sandbox, status=422, fail_event_ids=ids[:2], share=1.0)
    send_fault_orders(gateway, source["write_key"], 3, ids)
    settled(gateway, integration["id"], ids)
    httpx.delete(f"{sandbox.url}/_sandbox/faults")  # the cause is fixed

    sign_in_with_the_keyboard(page, gateway.admin_url)
    page.locator("#alerts").get_by_role("link").first.click()  # the dead-letter alert
    expect(page.get_by_role("heading", name="Dead letters")).to_be_visible()
    expect(page.locator("form[action='/deliveries/replay'] tbody tr")).to_have_count(2)
    expect(page.locator("main")).to_contain_text("injected by the pinrelay sandbox")
    screenshot(page, "14-dead-letters")
    page.get_by_role("button", name="Replay all dead events of Pinterest").click()
    expect(page.locator(".flash")).to_contain_text("2 event(s) queued again.")
    until(page, page.url, lambda p: "No dead letter" in p.locator("main").inner_text())
    screenshot(page, "15-dead-letters-replayed")
    assert {e["status"] for e in settled(gateway, integration["id"], ids).values()} == {"delivered"}
