"""Trigger conditions: every operator, and loose comparison of event names."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.pipeline.conditions import compile_condition, compile_trigger, event_name_key
from pinrelay.pipeline.model import Condition

MESSAGE: dict[str, Any] = {
    "type": "track",
    "event": "Order Completed",
    "properties": {"plan": "pro-yearly", "tags": ["a", "b"], "count": 2, "flag": True},
}


@pytest.mark.parametrize(
    ("field", "operator", "value", "expected"),
    [
        ("event", "equals", "order_completed", True),
        ("event", "equals", "ORDER-COMPLETED", True),
        ("event", "equals", "Order  Completed ", True),
        ("event", "equals", "Order Complete", False),
        ("event", "not_equals", "Product Added", True),
        ("event", "in", ["product_added", "order completed"], True),
        ("event", "not_in", ["Product Added"], True),
        ("event", "contains", "completed", True),
        ("event", "starts_with", "order_", True),
        ("properties.plan", "equals", "pro-yearly", True),
        ("properties.plan", "equals", "Pro Yearly", False),  # exact outside event names
        ("properties.plan", "contains", "year", True),
        ("properties.plan", "starts_with", "pro", True),
        ("properties.plan", "starts_with", "yearly", False),
        ("properties.tags", "contains", "b", True),
        ("properties.tags", "contains", "c", False),
        ("properties.count", "equals", 2, True),
        ("properties.count", "in", [1, 2], True),
        ("properties.count", "contains", 2, False),
        ("properties.flag", "equals", 1, False),  # YAML true is not the number 1
        ("properties.flag", "equals", True, True),
        ("properties.plan", "exists", None, True),
        ("properties.plan", "not_exists", None, False),
    ],
)
def test_operators(field: str, operator: str, value: Any, expected: bool) -> None:
    assert compile_condition(Condition(field, operator, value))(MESSAGE) is expected


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("equals", False),
        ("not_equals", True),
        ("in", False),
        ("not_in", True),
        ("contains", False),
        ("starts_with", False),
        ("exists", False),
        ("not_exists", True),
    ],
)
def test_a_missing_field_only_satisfies_the_negative_operators(
    operator: str, expected: bool
) -> None:
    value = ["x"] if operator in ("in", "not_in") else "x"
    assert compile_condition(Condition("properties.none", operator, value))(MESSAGE) is expected


def test_event_name_key() -> None:
    assert event_name_key(" Order_Completed-Now ") == "order completed now"


def test_trigger_needs_the_message_type_and_every_condition() -> None:
    conditions = (Condition("event", "equals", "order completed"),)
    assert compile_trigger(("track",), conditions)(MESSAGE)
    assert not compile_trigger(("page", "screen"), conditions)(MESSAGE)
    assert not compile_trigger(("track",), (*conditions, Condition("x", "exists")))(MESSAGE)
    assert not compile_trigger(("track",), ())({"event": "no type"})
