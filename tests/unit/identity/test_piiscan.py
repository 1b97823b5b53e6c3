"""Finding PII wherever a sender put it (identity.piiscan)."""

from __future__ import annotations

import copy
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pinrelay.identity.hashing import normalise_and_hash, sha256_hex
from pinrelay.identity.piiscan import (
    clean_outgoing_event,
    clean_source_url,
    scrub_text,
    scrub_tree,
    scrubbed_json,
    stored_id,
    surely_clean,
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


# --- the pruned walk: subtrees cleared in C are left out, and nothing else changes ---------

_KEYS = st.sampled_from(
    [
        "phone", "phones", "Mobile_Number", "t-e-l", "billingPhone", "hotel", "email", "em",
        "name", "url", "a@b.co", "mob\u0130le", "p\nhone", "\u212aey", "sms", "items", "x",
    ]
)  # fmt: skip
_TEXTS = st.sampled_from(
    [
        "jane@shop.example", "+1 415 555 0100", "0151 2345678", "4155550100", "plain words",
        "https://shop.example/?email=jane%40shop.example&epik=abc", "https://shop.example/p",
        "Café", "back\\slash", "line\nbreak", "", "50%", "a+b", "why?",
    ]
)  # fmt: skip
_LEAVES = st.one_of(
    _TEXTS, st.integers(-10, 10**10), st.floats(allow_nan=False), st.booleans(), st.none()
)
JSON_TREES = st.recursive(
    _LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400)
@given(JSON_TREES)
def test_the_pruned_walk_scrubs_exactly_what_the_whole_walk_does(tree: Any) -> None:
    pruned, whole = copy.deepcopy(tree), copy.deepcopy(tree)
    scrub_tree(pruned, prune=True)
    scrub_tree(whole)
    assert pruned == whole


@settings(max_examples=400)
@given(JSON_TREES)
def test_a_tree_called_surely_clean_is_left_as_it_is_by_the_whole_walk(tree: Any) -> None:
    if surely_clean(tree):
        walked = copy.deepcopy(tree)
        scrub_tree(walked)
        assert walked == tree


@settings(max_examples=200)
@given(JSON_TREES)
def test_scrubbed_json_is_the_scrubbed_tree_encoded(tree: Any) -> None:
    scrubbed, expected = copy.deepcopy(tree), copy.deepcopy(tree)
    encoded = scrubbed_json(scrubbed)
    scrub_tree(expected)
    assert scrubbed == expected
    assert msgspec.json.decode(encoded) == msgspec.json.decode(msgspec.json.encode(expected))


def test_a_phone_keys_list_is_walked_though_its_items_look_clean() -> None:
    tree = {"contact": {"phones": ["0151 2345678"]}}
    scrub_tree(tree, prune=True)
    assert tree["contact"]["phones"] != ["0151 2345678"]
    assert surely_clean({"order": {"items": [{"sku": "A-1", "price": 9.5}]}})
    assert not surely_clean({"hotel": "Ritz"})  # walked, not pruned: a false alarm costs time
