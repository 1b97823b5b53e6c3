"""The trigger index: only pipelines that can match are tried, and none that could is missed."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.pipeline import load_presets
from pinrelay.pipeline.model import Condition, ConditionGroup, Trigger
from pinrelay.pipeline.triggerindex import MAX_CACHED_KEYS, TriggerIndex, gate_of


def test_a_name_condition_narrows_the_gate_loosely() -> None:
    gate = gate_of(Trigger(("track",), (Condition("event", "in", ["Order Completed", "x-y"]),)))
    assert gate.types == {"track"}
    assert gate.names == {"event": {"order completed", "x y"}}


@pytest.mark.parametrize(
    "condition",
    [
        Condition("event", "starts_with", "order"),
        Condition("event", "equals", 5),
        Condition("properties.event", "equals", "x"),
        ConditionGroup("any", (Condition("event", "equals", "x"),)),
    ],
)
def test_other_conditions_do_not_narrow_the_gate(condition: Any) -> None:
    assert gate_of(Trigger(("track",), (condition,))).names == {}


def test_candidates_by_type_and_name() -> None:
    index = TriggerIndex(
        [
            ("checkout", Trigger(("track",), (Condition("event", "equals", "order_completed"),))),
            ("any_track", Trigger(("track",), ())),
            ("home", Trigger(("page",), (Condition("name", "equals", "Home"),))),
        ]
    )
    assert index.candidates({"type": "track", "event": "Order Completed"}) == (
        "checkout",
        "any_track",
    )
    assert index.candidates({"type": "track", "event": "Other"}) == ("any_track",)
    assert index.candidates({"type": "track", "event": 7}) == ("any_track",)
    assert index.candidates({"type": "page", "name": "home"}) == ("home",)
    assert index.candidates({"type": "identify"}) == ()


def test_the_cache_stays_bounded() -> None:
    index = TriggerIndex([("any_track", Trigger(("track",), ()))])
    for number in range(MAX_CACHED_KEYS + 10):
        assert index.candidates({"type": "track", "event": f"e{number}"}) == ("any_track",)
    assert len(index._cache) <= MAX_CACHED_KEYS


MESSAGES: list[dict[str, Any]] = [
    {"type": "track", "event": name}
    for name in (
        "Order Completed", "order_completed", "Product Added", "Products Searched",
        "Product Viewed", "Signed Up", "Lead Generated", "Checkout Started", "Unknown", "",
        "Application Installed", "Application Opened", "Video Playback Started",
        "Payment Info Entered", "Product Added to Wishlist", "Product List Viewed",
        "Trial Started", "Subscription Started",
    )
] + [
    {"type": "page", "name": "Home"},
    {"type": "page"},
    {"type": "screen", "name": "Cart"},
    {"type": "identify"},
    {"type": "track"},
]  # fmt: skip


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: f"{m['type']}:{m.get('event')}")
def test_the_presets_match_the_same_with_and_without_the_index(message: dict[str, Any]) -> None:
    presets = load_presets()
    indexed = [p.name for p in presets.matching(message)]
    assert indexed == [p.name for p in presets.matching_by_scan(message)]
