"""Built-in presets: each Segment standard event gives exactly this Pinterest event."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.pipeline import EventInput, load_presets, presets_with
from pinrelay.pipeline.loader import load_pipeline_text

from .conftest import sha

PRESETS = load_presets()
URL = "https://shop.example/p?epik=EPIK-1"
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"


def segment(kind: str, event: str | None, properties: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": kind,
        "messageId": "msg-1",
        "userId": "user-1",
        "anonymousId": "anon-1",
        "timestamp": "2026-11-20T10:15:30.000Z",
        "context": {
            "ip": "203.0.113.9",
            "userAgent": UA,
            "page": {"url": URL},
            "traits": {"email": "Jane@Example.com"},
        },
        "properties": properties,
    }
    if event is not None:
        message["event"] = event
    return message


def pinterest(event_name: str, **extra: Any) -> dict[str, Any]:
    """Every preset's common part (DESIGN.md, pinterest-capi.md §2.2 / §2.4)."""
    return {
        "event_name": event_name,
        "event_time": 1795169730,
        "action_source": "web",
        "event_source_url": URL,
        "event_id": "msg-1",
        "user_data": {
            "client_ip_address": "203.0.113.9",
            "client_user_agent": UA,
            "click_id": "EPIK-1",
            "external_id": [sha("user-1")],
            "em": [sha("jane@example.com")],
        },
        **extra,
    }


SHOE = {
    "product_id": "p-1",
    "sku": "SKU-1",
    "name": "Shoe",
    "price": 19.99,
    "quantity": 2,
    "category": "Shoes",
    "brand": "Acme",
}
SHOE_ITEM = {
    "id": "p-1",
    "item_name": "Shoe",
    "item_price": "19.99",
    "quantity": 2,
    "item_category": "Shoes",
    "item_brand": "Acme",
}

CASES: list[tuple[str, str | None, dict[str, Any], dict[str, Any]]] = [
    ("page", None, {"name": "Home"}, pinterest("page_visit")),
    (
        "screen",  # an app's screen: page_visit, as an app event when the context says so
        None,
        {"name": "Basket"},
        {key: value for key, value in pinterest("page_visit").items() if key != "event_source_url"},
    ),
    (
        "track",
        "Checkout",  # the trigger of Segment's own Checkout preset
        {"order_id": "o-2", "revenue": 12, "currency": "€", "products": [{"quantity": 1.5}]},
        pinterest(
            "checkout",
            custom_data={
                "value": "12",
                "currency": "EUR",
                "order_id": "o-2",
                "num_items": 2,  # 1.5 kg counts as 2 items; Pinterest wants an integer
            },
        ),
    ),
    (
        "track",
        "Order Completed",
        {
            "order_id": "o-1",
            "total": 30,
            "revenue": 25.5,
            "currency": "eur",
            "products": [SHOE, {"sku": "SKU-2", "price": "5.50"}],
        },
        pinterest(
            "checkout",
            custom_data={
                "value": "25.5",
                "currency": "EUR",
                "order_id": "o-1",
                "content_ids": ["p-1", "SKU-2"],
                "contents": [SHOE_ITEM, {"id": "SKU-2", "item_price": "5.50"}],
                "num_items": 3,
            },
        ),
    ),
    (
        "track",
        "Checkout Started",
        {"order_id": 77, "value": 30, "products": [{"product_id": 1, "quantity": "1"}]},
        pinterest(
            "initiate_checkout",
            custom_data={
                "value": "30",
                "currency": "USD",
                "order_id": "77",
                "content_ids": ["1"],
                "contents": [{"id": "1", "quantity": 1}],
                "num_items": 1,
            },
        ),
    ),
    (
        "track",
        "Product Added",
        {**SHOE, "currency": "usd"},
        pinterest(
            "add_to_cart",
            custom_data={
                "value": "39.98",  # price x quantity: what the cart gained
                "currency": "USD",
                "content_ids": ["p-1"],
                "contents": [SHOE_ITEM],
                "num_items": 2,
            },
        ),
    ),
    (
        "track",
        "Product Viewed",
        {"product_id": 7, "price": "4.00"},
        pinterest(
            "view_content",
            custom_data={
                "value": "4.00",
                "currency": "USD",
                "content_ids": ["7"],
                "contents": [{"id": "7", "item_price": "4.00"}],
                "num_items": 1,
            },
        ),
    ),
    (
        "track",
        "Product Added to Wishlist",
        {"sku": "W-1", "name": "Lamp"},
        pinterest(
            "add_to_wishlist",
            custom_data={
                "currency": "USD",
                "content_ids": ["W-1"],
                "contents": [{"id": "W-1", "item_name": "Lamp"}],
                "num_items": 1,
            },
        ),
    ),
    *[
        (
            "track",
            name,
            {"category": "Deals", "products": [{"product_id": "a"}, {"product_id": "b"}]},
            pinterest(
                "view_category",
                custom_data={
                    "content_category": "Deals",
                    "content_ids": ["a", "b"],
                    "contents": [{"id": "a"}, {"id": "b"}],
                },
            ),
        )
        for name in ("Product List Viewed", "Product Category Viewed")
    ],
    (
        "track",
        "Products Searched",
        {"query": "blue shoes"},
        pinterest("search", custom_data={"search_string": "blue shoes"}),
    ),
    ("track", "Signed Up", {"type": "organic"}, pinterest("signup")),
    *[
        (
            "track",
            name,
            {"value": 50, "currency": "gbp"},
            pinterest("lead", custom_data={"value": "50", "currency": "GBP"}),
        )
        for name in ("Lead Generated", "Generate Lead")
    ],
    (
        "track",
        "Payment Info Entered",
        {"order_id": 123, "payment_method": "card"},
        pinterest("add_payment_info", custom_data={"order_id": "123"}),
    ),
    (
        "track",
        "Subscription Created",
        {"revenue": 9.99},
        pinterest("subscribe", custom_data={"value": "9.99"}),
    ),
    ("track", "Trial Started", {"trial_plan_name": "pro"}, pinterest("start_trial")),
    *[
        ("track", name, {"video_player": "youtube"}, pinterest("watch_video"))
        for name in ("Product Video Watched", "Video Playback Started")
    ],
    (
        "track",
        "Application Installed",
        {"action_source": "app_ios", "version": "1.2"},
        pinterest("app_install", action_source="app_ios"),
    ),
    ("track", "Application Opened", {"from_background": True}, pinterest("app_open")),
    (
        "track",
        "Coupon Applied",
        {"value": 5, "coupon_id": "X"},
        pinterest("custom", custom_data={"value": "5"}),
    ),
]


@pytest.mark.parametrize(
    ("kind", "event", "properties", "expected"),
    CASES,
    ids=[f"{case[0]}:{case[1]}" for case in CASES],
)
def test_preset_output(
    kind: str, event: str | None, properties: dict[str, Any], expected: dict[str, Any]
) -> None:
    [output] = PRESETS.evaluate(EventInput(segment(kind, event, properties)))
    assert output.event["event_name"] == expected["event_name"]
    assert output.event == expected


def test_every_preset_has_a_case() -> None:
    covered = {
        output.pipeline
        for kind, event, properties, _ in CASES
        for output in PRESETS.evaluate(EventInput(segment(kind, event, properties)))
    }
    assert covered == set(PRESETS.names)


def test_action_source_comes_from_the_event_when_it_is_a_known_value() -> None:
    message = segment("track", "Signed Up", {})
    message["context"]["action_source"] = "APP_ANDROID"
    [output] = PRESETS.evaluate(EventInput(message))
    assert output.event["action_source"] == "app_android"
    message["context"]["action_source"] = "kiosk"
    [output] = PRESETS.evaluate(EventInput(message))
    assert output.event["action_source"] == "web"


def test_page_url_falls_back_to_properties_url_and_epik_to_the_cookie() -> None:
    message = segment("page", None, {"url": "https://shop.example/landing"})
    del message["context"]["page"]
    [output] = PRESETS.evaluate(EventInput(message, cookies={"_epik": "COOKIE"}))
    assert output.event["event_source_url"] == "https://shop.example/landing"
    assert output.event["user_data"]["click_id"] == "COOKIE"


def test_custom_events_can_be_turned_off_and_identify_calls_give_nothing() -> None:
    coupon = segment("track", "Coupon Applied", {})
    assert load_presets(custom_events=False).evaluate(EventInput(coupon)) == []
    assert "custom" not in load_presets(custom_events=False).names
    assert PRESETS.evaluate(EventInput(segment("identify", None, {}))) == []


def test_user_pipelines_replace_presets_by_name_and_add_new_ones() -> None:
    own_checkout = load_pipeline_text(
        "name: checkout\ntrigger:\n  event: track\n  conditions:\n"
        "    - {field: event, operator: equals, value: Order Completed}\n"
        "transform:\n  static:\n    - {target: event_name, value: checkout}\n"
        "identity: none\n"
    )
    combined = presets_with(own_checkout, custom_events=False)
    assert combined.names == load_presets(custom_events=False).names
    [output] = combined.evaluate(EventInput(segment("track", "Order Completed", {})))
    assert output.event == {"event_name": "checkout"}
