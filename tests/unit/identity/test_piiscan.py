"""Finding PII wherever a sender put it (identity.piiscan)."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.identity.hashing import normalise_and_hash, sha256_hex
from pinrelay.identity.piiscan import (
    clean_outgoing_event,
    clean_source_url,
    scrub_text,
    scrub_tree,
    stored_id,
)

EMAIL_HASH = sha256_hex("jane.doe@shop.example")
PHONE_HASH = normalise_and_hash("ph", "+14155550123")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jane.Doe@Shop.Example", EMAIL_HASH),
        ("write to jane.doe@shop.example.", f"write to {EMAIL_HASH}."),
        ("?email=jane.doe%40shop.example&x=1", f"?email={EMAIL_HASH}&x=1"),
        ("call +1 415-555-0123 now", f"call {PHONE_HASH} now"),
        ("order 1001 at 2026-11-22T10:00:00+00:00", "order 1001 at 2026-11-22T10:00:00+00:00"),
        ("@handle and a@b", "@handle and a@b"),
    ],
)
def test_emails_and_international_numbers_in_text_become_their_hashes(
    text: str, expected: str
) -> None:
    assert scrub_text(text) == expected


def test_traits_under_any_name_are_hashed_and_unusable_phones_dropped() -> None:
    tree: dict[str, Any] = {
        "Email": "JANE.DOE@shop.example",
        "customer_email": "jane.doe@shop.example",
        "phone_number": "(415) 555-0123",
        "mobile": 4155550123,
        "phones": ["415 555 0123"],
        "billingPhone": "not a number",
        "cancellation_reason": "too slow",
        "revenue": 12.5,
    }
    scrub_tree(tree)
    assert tree == {
        "Email": EMAIL_HASH,
        "customer_email": EMAIL_HASH,
        "phone_number": PHONE_HASH,
        "mobile": PHONE_HASH,
        "phones": [PHONE_HASH],
        "cancellation_reason": "too slow",
        "revenue": 12.5,
    }


def test_the_source_url_loses_pii_parameters_and_the_fragment() -> None:
    url = "https://shop.example/p?utm_source=pin&email=j%40x.example&ref=j@x.example&first_name=J#e"
    assert clean_source_url(url) == "https://shop.example/p?utm_source=pin"


def test_an_outgoing_event_keeps_its_hashed_user_data_and_loses_raw_pii_elsewhere() -> None:
    event: dict[str, Any] = {
        "event_source_url": "https://shop.example/?phone=4155550123",
        "user_data": {"em": [EMAIL_HASH], "client_user_agent": "Mozilla/5.0"},
        "custom_data": {"search_string": "jane.doe@shop.example"},
    }
    clean_outgoing_event(event)
    assert event["event_source_url"] == "https://shop.example/"
    assert event["custom_data"]["search_string"] == EMAIL_HASH


def test_an_email_as_user_id_is_stored_as_its_external_id_hash() -> None:
    assert stored_id("Jane.Doe@shop.example") == normalise_and_hash(
        "external_id", "Jane.Doe@shop.example"
    )
    assert stored_id("user-42") == "user-42"


def test_the_scan_is_linear_on_hostile_text() -> None:
    # each run would cost O(n^2) steps with a backtracking email pattern
    for hostile in ("a" * 50_000 + "@", "%40" * 20_000, "a@" * 25_000, "+1" * 25_000):
        assert len(scrub_text(hostile)) > 0
