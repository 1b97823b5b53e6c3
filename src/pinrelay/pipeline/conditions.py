"""Trigger conditions (`{field, operator, value}`), compiled into predicates.

Event names are compared loosely: case is ignored and spaces, underscores and hyphens count
as the same separator, so the seed's `value: order_completed` matches Segment's
`Order Completed`. That applies to the root `event` (a track's name) and `name` (a page or
screen name); every other field compares exactly.

A missing field fails every operator except `not_equals`, `not_in` and `not_exists`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from pinrelay.pipeline.model import Condition
from pinrelay.pipeline.paths import MISSING, Path

Predicate = Callable[[Mapping[str, Any]], bool]
Comparison = Callable[[Any, Any], bool]

EVENT_NAME_FIELDS = frozenset(("event", "name"))
_NAME_SEPARATORS = re.compile(r"[\s_\-]+")


@functools.lru_cache(maxsize=4096)  # event names are few; every pipeline compares the same one
def event_name_key(name: str) -> str:
    """The form event names are compared in: "Order Completed" -> "order completed"."""
    return _NAME_SEPARATORS.sub(" ", name.strip().lower())


def _equals(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) != isinstance(expected, bool):
        return False  # YAML `true` must not equal the number 1
    return bool(actual == expected)


def _contains(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str):
        return isinstance(expected, str) and expected in actual
    if isinstance(actual, list):
        return any(_equals(item, expected) for item in actual)
    return False


def _starts_with(actual: Any, expected: Any) -> bool:
    return isinstance(actual, str) and isinstance(expected, str) and actual.startswith(expected)


def _is_in(actual: Any, expected: Any) -> bool:
    return any(_equals(actual, option) for option in expected)


# operator -> (comparison, result when the field is missing, value needed)
OPERATORS: Mapping[str, tuple[Comparison, bool, bool]] = {
    "equals": (_equals, False, True),
    "not_equals": (lambda a, e: not _equals(a, e), True, True),
    "in": (_is_in, False, True),
    "not_in": (lambda a, e: not _is_in(a, e), True, True),
    "contains": (_contains, False, True),
    "starts_with": (_starts_with, False, True),
    "exists": (lambda a, e: True, False, False),
    "not_exists": (lambda a, e: False, True, False),
}
LIST_OPERATORS = frozenset(("in", "not_in"))


def _loose(value: Any) -> Any:
    if isinstance(value, str):
        return event_name_key(value)
    if isinstance(value, list):
        return [_loose(item) for item in value]
    return value


def compile_condition(condition: Condition) -> Predicate:
    """A predicate over a message; the path and the expected value are prepared once."""
    compare, when_missing, _ = OPERATORS[condition.operator]
    path = Path.parse(condition.field)
    loose = condition.field in EVENT_NAME_FIELDS
    expected = _loose(condition.value) if loose else condition.value

    def predicate(message: Mapping[str, Any]) -> bool:
        actual = path.read(message)
        if actual is MISSING:
            return when_missing
        return compare(_loose(actual) if loose else actual, expected)

    return predicate


def compile_trigger(event_types: tuple[str, ...], conditions: tuple[Condition, ...]) -> Predicate:
    """All conditions must hold, on a message of one of `event_types`."""
    predicates = tuple(compile_condition(condition) for condition in conditions)
    types = frozenset(event_types)

    def matches(message: Mapping[str, Any]) -> bool:
        return message.get("type") in types and all(p(message) for p in predicates)

    return matches
