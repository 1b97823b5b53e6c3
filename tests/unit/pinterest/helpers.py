"""Builders shared by the pinterest tests: a valid event, hashes, a clock moved by hand."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from pinrelay.pinterest.validation import encode_event

NOW = 1_790_000_000  # a fixed "now" (2026-09) for everything time-dependent
TOKEN = "pina_test_token_0123456789abcdef"
AD_ACCOUNT_ID = "549755885175"
OTHER_AD_ACCOUNT_ID = "549755885176"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# pinterest-capi.md section 3 test vector for "  John.Doe@Example.COM "
EMAIL_HASH = "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f"
EXTERNAL_ID_HASH = sha256_hex("user-42")

_BASE_EVENT: dict[str, Any] = {
    "event_name": "checkout",
    "action_source": "web",
    "event_time": NOW - 60,
    "event_id": "evt-0001",
    "event_source_url": "https://shop.example/checkout?epik=abc",
    "user_data": {
        "em": [EMAIL_HASH],
        "external_id": [EXTERNAL_ID_HASH],
        "client_ip_address": "203.0.113.9",
        "client_user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0",
        "click_id": "dj0yJnU9b2JDcFFHekV4SHJNcmVrbFBkUEdqakh0akdUT1VjVVUmcD0y",
    },
    "custom_data": {
        "currency": "USD",
        "value": "72.39",
        "content_ids": ["sku-1"],
        "contents": [{"id": "sku-1", "item_price": "72.39", "quantity": 1}],
        "num_items": 1,
        "order_id": "order-1",
    },
}


def make_event(**overrides: Any) -> dict[str, Any]:
    """A valid, fully matched checkout event; keyword arguments replace top-level fields."""
    event = copy.deepcopy(_BASE_EVENT)
    event.update(overrides)
    return event


def encoded_events(count: int, **overrides: Any) -> list[bytes]:
    """`count` valid events with distinct event_ids, encoded as the outbox stores them."""
    return [encode_event(make_event(event_id=f"evt-{i:04d}", **overrides)) for i in range(count)]


class FakeClock:
    """A clock for SandboxConfig: it only moves when a test says so."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
