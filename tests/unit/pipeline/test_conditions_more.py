"""The operators beyond equality: regular expressions, numbers, and all/any groups."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.pipeline import PipelineLoadError, load_pipeline_text
from pinrelay.pipeline.conditions import compile_any, compile_condition
from pinrelay.pipeline.model import Condition, ConditionGroup

MESSAGE: dict[str, Any] = {
    "type": "track",
    "event": "Order Completed",
    "properties": {"revenue": 72.39, "text_total": "120", "plan": "pro-yearly", "flag": True},
}


@pytest.mark.parametrize(
    ("field", "operator", "value", "expected"),
    [
        ("properties.plan", "matches", r"^pro-(monthly|yearly)$", True),
        ("properties.plan", "matches", "year", True),  # searched anywhere
        ("properties.plan", "matches", "^year", False),
        ("event", "matches", "^Order", True),  # the name as sent, not loosened
        ("event", "matches", "^order", False),
        ("event", "matches", "(?i)^order", True),
        ("properties.revenue", "matches", "72", False),  # numbers are not text
        ("properties.revenue", "gt", 72, True),
        ("properties.revenue", "gt", 72.39, False),
        ("properties.revenue", "gte", 72.39, True),
        ("properties.revenue", "lt", 100, True),
        ("properties.revenue", "lt", 72.39, False),
        ("properties.revenue", "lte", 72.39, True),
        ("properties.text_total", "gt", 100, True),  # text that reads as a number
        ("properties.plan", "gt", 0, False),  # text that does not
        ("properties.flag", "gte", 0, False),  # booleans are not numbers
    ],
)
def test_operators(field: str, operator: str, value: Any, expected: bool) -> None:
    assert compile_condition(Condition(field, operator, value))(MESSAGE) is expected


@pytest.mark.parametrize("operator", ["matches", "gt", "gte", "lt", "lte"])
def test_a_missing_field_fails_the_new_operators(operator: str) -> None:
    value = "x" if operator == "matches" else 1
    assert compile_condition(Condition("properties.none", operator, value))(MESSAGE) is False


def test_all_needs_every_condition_and_any_needs_one() -> None:
    big = Condition("properties.revenue", "gt", 50)
    pro = Condition("properties.plan", "starts_with", "pro")
    free = Condition("properties.plan", "equals", "free")
    assert compile_any(ConditionGroup("all", (big, pro)))(MESSAGE)
    assert not compile_any(ConditionGroup("all", (big, free)))(MESSAGE)
    assert compile_any(ConditionGroup("any", (free, big)))(MESSAGE)
    assert not compile_any(ConditionGroup("any", (free,)))(MESSAGE)
    nested = ConditionGroup("any", (free, ConditionGroup("all", (big, pro))))
    assert compile_any(nested)(MESSAGE)


GROUPED = """\
name: big_orders
trigger:
  event: track
  conditions:
    - field: event
      operator: equals
      value: order_completed
    - any:
        - field: properties.revenue
          operator: gte
          value: 100
        - all:
            - field: properties.plan
              operator: matches
              value: "^pro-"
            - field: properties.flag
              operator: equals
              value: true
transform:
  static:
    - target: event_name
      value: checkout
"""


def test_groups_load_from_yaml_and_nest() -> None:
    (definition,) = load_pipeline_text(GROUPED)
    event, group = definition.trigger.conditions
    assert event == Condition("event", "equals", "order_completed")
    assert isinstance(group, ConditionGroup)
    assert group.mode == "any"
    assert isinstance(group.conditions[1], ConditionGroup)
    assert group.conditions[1].mode == "all"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (
            "{field: properties.x, operator: matches, value: '(unclosed'}",
            "p.yaml:5:55: trigger.conditions[0].value: operator 'matches' needs a regular "
            "expression (missing ), unterminated subpattern at position 0), e.g. '^order'",
        ),
        (
            "{field: properties.x, operator: gt, value: lots}",
            "p.yaml:5:50: trigger.conditions[0].value: operator 'gt' needs a number, "
            "e.g. value: 100",
        ),
        (
            "{field: properties.x, operator: bigger, value: 1}",
            "p.yaml:5:39: trigger.conditions[0].operator: unknown operator 'bigger'; expected "
            "one of equals, not_equals, in, not_in, contains, starts_with, exists, not_exists, "
            "matches, gt, gte, lt, lte",
        ),
        (
            "{any: []}",
            "p.yaml:5:13: trigger.conditions[0].any: must list at least one condition",
        ),
    ],
)
def test_bad_conditions_say_where_and_what_would_be_right(condition: str, expected: str) -> None:
    text = (
        "name: p\ntrigger:\n  event: track\n  conditions:\n"
        f"    - {condition}\n"
        "transform:\n  static:\n    - {target: event_name, value: custom}\n"
    )
    with pytest.raises(PipelineLoadError) as raised:
        load_pipeline_text(text, file_name="p.yaml")
    assert [str(problem) for problem in raised.value.problems] == [expected]


def test_a_catastrophic_pattern_runs_in_linear_time() -> None:
    # With a backtracking engine this pattern doubles its work per character: 26 characters
    # froze the process for 2.5 s (issue 13), so 2,000 would never finish in this test.
    predicate = compile_condition(Condition("properties.code", "matches", r"^([A-Z0-9]+)+$"))
    assert predicate({"properties": {"code": "A" * 2000 + "!"}}) is False
    assert predicate({"properties": {"code": "A" * 2000}}) is True


@pytest.mark.parametrize("pattern", [r"(a)\1", r"^(?=order)", r"(?<!x)y"])
def test_patterns_that_need_backtracking_are_refused_when_checked(pattern: str) -> None:
    text = (
        "name: p\ntrigger:\n  event: track\n  conditions:\n"
        f"    - {{field: properties.x, operator: matches, value: '{pattern}'}}\n"
        "transform:\n  static:\n    - {target: event_name, value: custom}\n"
    )
    with pytest.raises(PipelineLoadError) as raised:
        load_pipeline_text(text, file_name="p.yaml")
    [problem] = [str(p) for p in raised.value.problems]
    assert problem.startswith("p.yaml:5:55: trigger.conditions[0].value: operator 'matches'")
    assert "linear time" in problem
