"""Trigger conditions (`{field, operator, value}`), compiled into predicates.

Event names are compared loosely: case is ignored and spaces, underscores and hyphens count
as the same separator, so the seed's `value: order_completed` matches Segment's
`Order Completed`. That applies to the root `event` (a track's name) and `name` (a page or
screen name); every other field compares exactly.

A missing field fails every operator except `not_equals`, `not_in` and `not_exists`.

`matches` is a regular expression in RE2 syntax (linear time: no backreferences or
lookarounds, see pipeline.regex) searched anywhere in the text (anchor it with `^` and `$`),
compiled once; it sees the value as sent (event names are not loosened for it).
`gt`/`gte`/`lt`/`lte` compare numbers, or text that reads as one ("72.39"); anything else
fails. `all:` / `any:` groups (nestable) combine conditions; the list of a trigger is an
implicit `all`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from pinrelay.pipeline.model import AnyCondition, Condition
from pinrelay.pipeline.paths import MISSING, Path
from pinrelay.pipeline.regex import Pattern, compile_pattern

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


def _matches(actual: Any, expected: Pattern) -> bool:
    return isinstance(actual, str) and expected.search(actual) is not None


def as_number(value: Any) -> Decimal | None:
    """A number, or text that reads as one; None for anything else (booleans included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        return Decimal(value.strip())
    return None


def _numeric(test: Callable[[Decimal, Decimal], bool]) -> Comparison:
    def compare(actual: Any, expected: Decimal) -> bool:
        number = as_number(actual)
        return number is not None and test(number, expected)

    return compare


_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")


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
    "matches": (_matches, False, True),
    "gt": (_numeric(lambda a, e: a > e), False, True),
    "gte": (_numeric(lambda a, e: a >= e), False, True),
    "lt": (_numeric(lambda a, e: a < e), False, True),
    "lte": (_numeric(lambda a, e: a <= e), False, True),
}
LIST_OPERATORS = frozenset(("in", "not_in"))
NUMBER_OPERATORS = frozenset(("gt", "gte", "lt", "lte"))
GROUP_KEYS = ("all", "any")


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
    loose = condition.field in EVENT_NAME_FIELDS and condition.operator != "matches"
    expected: Any = _loose(condition.value) if loose else condition.value
    if condition.operator == "matches":
        expected = compile_pattern(condition.value)  # RE2: linear time (pipeline.regex)
    elif condition.operator in NUMBER_OPERATORS:
        expected = as_number(condition.value)
        if expected is None:
            return lambda message: False  # the loader refuses this; never match if it slips

    read = path.reader()

    def predicate(message: Mapping[str, Any]) -> bool:
        actual = read(message)
        if actual is MISSING:
            return when_missing
        return compare(_loose(actual) if loose else actual, expected)

    return predicate


def compile_any(condition: AnyCondition) -> Predicate:
    """A predicate for one condition or one `all:` / `any:` group."""
    if isinstance(condition, Condition):
        return compile_condition(condition)
    parts = tuple(compile_any(part) for part in condition.conditions)
    if condition.mode == "all":
        return lambda message: all(p(message) for p in parts)
    return lambda message: any(p(message) for p in parts)


def compile_trigger(
    event_types: tuple[str, ...], conditions: tuple[AnyCondition, ...]
) -> Predicate:
    """All conditions must hold, on a message of one of `event_types`."""
    predicates = tuple(compile_any(condition) for condition in conditions)
    types = frozenset(event_types)

    if len(predicates) == 1:  # the common trigger (`event` equals a name): no generator
        [only] = predicates
        return lambda message: message.get("type") in types and only(message)

    def matches(message: Mapping[str, Any]) -> bool:
        return message.get("type") in types and all(p(message) for p in predicates)

    return matches
