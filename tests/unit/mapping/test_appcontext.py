"""App events: action_source and app_info/device_info (or legacy fields) from the context."""

from __future__ import annotations

from typing import Any

from pinrelay.mapping.appcontext import apply_app_context
from pinrelay.pinterest.validation import validate_event

IOS: dict[str, Any] = {
    "type": "track",
    "event": "Application Opened",
    "context": {
        "app": {"name": "Shop", "version": "4.2.0", "build": "420", "namespace": "com.shop.ios"},
        "device": {"manufacturer": "Apple", "model": "iPhone15,2", "type": "ios"},
        "os": {"name": "iOS", "version": "17.1"},
        "screen": {"width": 393, "height": 852, "density": 3},
        "network": {"carrier": "T-Mobile", "wifi": True, "cellular": False},
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "userAgent": "Shop/4.2.0 CFNetwork",
        "ip": "203.0.113.7",
    },
}


def base_event() -> dict[str, Any]:
    return {
        "event_name": "app_open",
        "action_source": "web",
        "event_time": 1795169730,
        "event_id": "m-1",
        "user_data": {"client_ip_address": "203.0.113.7", "client_user_agent": "Shop/4.2.0"},
    }


def test_an_ios_event_gets_app_info_device_info_and_app_ios() -> None:
    event = base_event()
    notes = apply_app_context(event, IOS, {})
    assert event["action_source"] == "app_ios"
    assert notes == ["action_source: app_ios from context.os.name"]
    assert event["app_info"] == {
        "app_name": "Shop",
        "app_version": "4.2.0",
        "app_package_name": "com.shop.ios",
        "user_agent": "Shop/4.2.0 CFNetwork",
    }
    assert event["device_info"] == {
        "brand": "Apple",
        "model": "iPhone15,2",
        "type": "ios",
        "carrier": "T-Mobile",
        "os_name": "iOS",
        "os_version": "17.1",
        "os_family": "ios",
        "screen_width": 393,
        "screen_height": 852,
        "network_type": "wifi",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
    }
    assert validate_event(event) == []


def test_legacy_flat_fields_can_be_chosen() -> None:
    android = {**IOS, "context": {**IOS["context"], "os": {"name": "Android", "version": "14"}}}
    event = base_event()
    apply_app_context(event, android, {"app_fields": "legacy"})
    assert event["action_source"] == "app_android"
    assert "app_info" not in event
    assert {k: event[k] for k in ("app_id", "app_name", "device_model", "wifi", "language")} == {
        "app_id": "com.shop.ios",
        "app_name": "Shop",
        "device_model": "iPhone15,2",
        "wifi": True,
        "language": "en",
    }
    assert validate_event(event) == []


def test_an_action_source_named_by_the_message_is_kept() -> None:
    message = {**IOS, "properties": {"action_source": "offline"}}
    event = {**base_event(), "action_source": "offline"}
    apply_app_context(event, message, {"app_fields": "off"})
    assert event["action_source"] == "offline"
    assert "app_info" not in event


def test_web_events_are_left_alone() -> None:
    web = {"type": "track", "context": {"os": {"name": "Mac OS X"}, "userAgent": "Mozilla"}}
    event = base_event()
    assert apply_app_context(event, web, {}) == []
    assert event == base_event()
