"""Issue 6, done when: a visitor from a Pinterest ad browses the shop in a real browser, and
the checkout reaches Pinterest with the click id, the hashed email and the page's event id."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.conftest import TAG_ID, Shop
from tests.support.polling import wait_for
from tests.support.servers import SandboxHandle

pytestmark = pytest.mark.browser

# A stand-in for the Pinterest Tag: records its calls across the page loads of the visit.
PINTRK_STUB = """
window.pintrk = function () {
  var calls = JSON.parse(sessionStorage.getItem("pintrk") || "[]");
  calls.push(JSON.parse(JSON.stringify([].slice.call(arguments))));
  sessionStorage.setItem("pintrk", JSON.stringify(calls));
};
"""
EMAIL = "Jane.Doe@Example.com"


def _visit(context: BrowserContext, shop: Shop, *, accept: bool) -> tuple[Page, str, Any]:
    """Land from an ad, answer the banner, view the product, add it, check out with an email.

    Returns the page, the checkout's event id as the page shows it, and the first batch's
    response (the one that answered the landing)."""
    context.add_init_script(PINTRK_STUB)
    page = context.new_page()
    page.goto(f"{shop.url}/?epik=abc")
    with page.expect_response(lambda r: r.url.endswith("/v1/batch")) as landing:
        page.click("#accept" if accept else "#decline")
    page.click("text=Linen shirt")
    page.wait_for_function("window.pinrelay && window.pinrelay.loaded")
    page.click("#add")
    page.click("#to-checkout")
    page.wait_for_function("window.pinrelay && window.pinrelay.loaded")
    page.fill("#email", EMAIL)
    page.click("button[type=submit]")
    event_id = page.text_content("#event-id") or ""
    return page, event_id, landing.value


def _pintrk_calls(page: Page) -> list[list[Any]]:
    page.wait_for_timeout(200)  # the Tag fires when the batch leaves, right after the click
    calls: list[list[Any]] = json.loads(page.evaluate("sessionStorage.getItem('pintrk') || '[]'"))
    return calls


def _wait_for(sandbox: SandboxHandle, event_name: str, timeout: float = 20.0) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        items = (i for i in sandbox.events() if i["event"]["event_name"] == event_name)
        return next((dict(i["event"]) for i in items), None)

    try:
        return wait_for(found, timeout=timeout, interval=0.1)
    except AssertionError:
        raise AssertionError(f"no {event_name} reached the sandbox: {sandbox.events()}") from None


def _cookie_attributes(set_cookie: str, name: str) -> dict[str, str]:
    for line in set_cookie.split("\n"):
        if line.startswith(f"{name}="):
            parts = [p.strip() for p in line.split(";")]
            attributes = {"value": parts[0].split("=", 1)[1]}
            attributes.update(
                {p.split("=", 1)[0].lower(): [*p.split("=", 1), ""][1] for p in parts[1:]}
            )
            return attributes
    raise AssertionError(f"no {name} cookie in {set_cookie!r}")


def test_a_checkout_carries_the_click_id_the_hashed_email_and_the_page_event_id(
    context: BrowserContext, shop: Shop, sandbox: SandboxHandle
) -> None:
    page, event_id, landing = _visit(context, shop, accept=True)

    checkout = _wait_for(sandbox, "checkout")
    assert checkout["event_id"] == event_id
    assert checkout["user_data"]["click_id"] == "abc"  # from the cookie: no epik on /checkout
    assert checkout["user_data"]["em"] == [hashlib.sha256(b"jane.doe@example.com").hexdigest()]

    epik = _cookie_attributes(landing.header_value("set-cookie") or "", "_epik")
    assert epik["value"] == "abc"
    assert int(epik["max-age"]) >= 34_560_000  # 400 days
    assert "httponly" in epik
    assert epik["samesite"] == "Lax"
    assert page.evaluate("document.cookie") == "", "HttpOnly: the page cannot read them"

    tag_calls = _pintrk_calls(page)
    assert ["load", TAG_ID] in tag_calls
    assert next(c for c in tag_calls if c[:2] == ["track", "checkout"])[2]["event_id"] == event_id


def test_with_advertising_declined_nothing_reaches_pinterest(
    context: BrowserContext, shop: Shop, sandbox: SandboxHandle
) -> None:
    page, _, landing = _visit(context, shop, accept=False)
    assert "_epik=" not in (landing.header_value("set-cookie") or ""), "no ad click id kept"

    deadline = time.monotonic() + 15
    while not any(e["name"] == "Order Completed" for e in shop.events()):
        assert time.monotonic() < deadline, "the checkout never reached pinrelay"
        time.sleep(0.1)
    events = shop.events()
    for event in events:
        assert event["body"]["context"]["consent"]["categoryPreferences"]["advertising"] is False
        (step,) = event["trace"]
        assert step["outcome"] == "filtered"
        assert "advertising" in step["reason"]
    counts = shop.gateway.admin("GET", f"/v1/admin/sources/{shop.source['id']}/outcomes").json()
    assert counts["integrations"][shop.integration["id"]] == {"filtered": len(events)}
    assert sandbox.events() == []
    assert not [c for c in _pintrk_calls(page) if c[0] == "track"], "no Tag without consent"


def test_before_any_consent_answer_nothing_leaves_the_page(
    context: BrowserContext, shop: Shop
) -> None:
    page = context.new_page()
    page.goto(f"{shop.url}/?epik=abc")
    page.wait_for_function("window.pinrelay && window.pinrelay.loaded")
    page.goto(f"{shop.url}/product")  # pagehide: still nothing, the source requires consent
    page.wait_for_timeout(300)
    assert shop.events() == []
