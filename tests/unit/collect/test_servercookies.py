"""Server-set cookies: which click id a batch lands with, and how each cookie is scoped."""

from __future__ import annotations

from typing import Any

from pinrelay.collect.servercookies import (
    COOKIE_MAX_AGE,
    DEVICE_COOKIE,
    CookiePolicy,
    cookie_headers,
    known_device_id,
    landing_click_id,
)


def _page(url: str, consent: dict[str, bool] | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {"page": {"url": url}}
    if consent is not None:
        context["consent"] = {"categoryPreferences": consent}
    return {"type": "page", "context": context}


def test_the_newest_click_of_a_batch_wins() -> None:
    batch = [_page("https://s.example/?epik=old"), _page("https://s.example/"), _page("/?epik=new")]
    assert landing_click_id(batch) == "new"


def test_no_click_id_is_kept_for_a_visitor_who_declined_advertising() -> None:
    declined = _page("https://s.example/?epik=abc", consent={"analytics": True})
    assert landing_click_id([declined]) is None
    granted = _page("https://s.example/?epik=abc", consent={"advertising": True})
    assert landing_click_id([granted]) == "abc"


def test_no_epik_no_click_id() -> None:
    assert landing_click_id([_page("https://s.example/?utm_source=pinterest")]) is None
    assert landing_click_id([{"type": "track"}]) is None


def test_a_click_id_a_cookie_cannot_carry_safely_is_not_set() -> None:
    assert landing_click_id([_page("https://s.example/?epik=a%3Bb")]) is None  # "a;b"
    assert landing_click_id([_page("https://s.example/?epik=dj0yJnU9abc")]) == "dj0yJnU9abc"


def test_the_device_id_is_read_only_when_it_is_a_uuid() -> None:
    good = "0b5a3c1e-8f0a-4a57-9a53-3b2f3a6f9f10"
    assert known_device_id({DEVICE_COOKIE: good}) == good
    assert known_device_id({DEVICE_COOKIE: "<script>"}) is None
    assert known_device_id({}) is None


def test_cookies_are_first_party_httponly_lax_and_last_400_days() -> None:
    policy = CookiePolicy.for_request("t.shop.example", "shop.example", https=True)
    device, epik = cookie_headers(policy, "d-1", "abc")
    assert epik == (
        f"_epik=abc; Max-Age={COOKIE_MAX_AGE}; Path=/; Domain=shop.example; Secure; HttpOnly; "
        "SameSite=Lax"
    )
    assert device.startswith(f"{DEVICE_COOKIE}=d-1;")
    assert COOKIE_MAX_AGE == 34_560_000


def test_without_a_click_only_the_device_id_is_set() -> None:
    policy = CookiePolicy.for_request("127.0.0.1:8080", None, https=False)
    (device,) = cookie_headers(policy, "d-1", None)
    assert "Secure" not in device
    assert "Domain" not in device


def test_the_domain_is_used_only_when_the_host_is_inside_it() -> None:
    assert CookiePolicy.for_request("shop.example", "shop.example", False).domain == "shop.example"
    assert CookiePolicy.for_request("t.shop.example:443", "shop.example", False).domain
    assert CookiePolicy.for_request("evilshop.example", "shop.example", False).domain is None
