"""`map` (a value table) and `template` (text with `{path}` fields), alone and in pipelines."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.pipeline import EventInput, PipelineLoadError, PipelineSet, load_pipeline_text
from pinrelay.pipeline.transforms import TRANSFORMS, TransformArgs, TransformError

TABLE = TransformArgs("x", values={"gold": "premium", "1": "one", "true": "yes"})


def run_map(value: Any) -> Any:
    step = TRANSFORMS["map"].build(TABLE)
    return step(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("gold", "premium"), (1, "one"), (True, "yes"), (["gold", "lead", 1], ["premium", "one"])],
)
def test_map_replaces_values_from_its_table(value: Any, expected: Any) -> None:
    assert run_map(value) == expected


@pytest.mark.parametrize("value", ["lead", {"a": 1}])
def test_map_refuses_values_not_in_its_table(value: Any) -> None:
    with pytest.raises(TransformError):
        run_map(value)


def run_template(template: str, value: Any, root: Any) -> Any:
    step = TRANSFORMS["template"].build(TransformArgs("x", template=template))
    return step(value, root)


def test_template_fills_paths_from_the_message_and_value_from_the_source() -> None:
    root = {"properties": {"order_id": 42, "plan": "pro"}, "userId": "u1"}
    assert run_template("{user_id}:{properties.order_id}", None, root) == "u1:42"
    assert run_template("plan {value}", "pro", root) == "plan pro"
    assert run_template("{{literal}} {properties.plan}", None, root) == "{literal} pro"


def test_template_refuses_a_field_without_a_value() -> None:
    with pytest.raises(TransformError, match="template field"):
        run_template("{properties.missing}", None, {})


PIPELINE = """\
name: tiers
trigger:
  event: track
transform:
  static:
    - {target: event_name, value: lead}
  custom_data:
    - source: properties.tier
      target: content_category
      transform: [lowercase, map]
      values: {gold: premium, silver: standard}
      default: other
    - target: content_name
      transform: template
      template: "{properties.tier} plan for {properties.seats} seats"
    - source: properties.items
      target: contents
      each:
        - target: id
          transform: template
          template: "sku-{id}"
"""


def evaluate(properties: dict[str, Any]) -> dict[str, Any]:
    pipelines = PipelineSet(load_pipeline_text(PIPELINE))
    message = {"type": "track", "event": "Signed Up", "properties": properties}
    (output,) = pipelines.evaluate(EventInput(message))
    custom_data: dict[str, Any] = output.event["custom_data"]
    return custom_data


def test_map_and_template_in_a_pipeline() -> None:
    custom_data = evaluate({"tier": "GOLD", "seats": 5, "items": [{"id": 7}]})
    assert custom_data == {
        "content_category": "premium",
        "content_name": "GOLD plan for 5 seats",
        "contents": [{"id": "sku-7"}],
    }


def test_an_unmapped_value_and_an_incomplete_template_fall_back_or_drop() -> None:
    custom_data = evaluate({"tier": "bronze"})
    assert custom_data == {"content_category": "other"}


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "{source: properties.tier, target: content_category, transform: map}",
            "p.yaml:6:70: transform.custom_data[0].transform: transform 'map' needs a 'values' "
            "key, e.g. values: {gold: premium, silver: standard}",
        ),
        (
            "{source: properties.tier, target: content_category, values: {a: b}}",
            "p.yaml:6:67: transform.custom_data[0].values: 'values' is only read by the "
            "transform 'map'; add transform: map",
        ),
        (
            "{target: content_name, transform: template, template: '{properties..x}'}",
            "p.yaml:6:61: transform.custom_data[0].template: template field {properties..x}: "
            "cannot read path segment '' of 'properties..x'",
        ),
    ],
)
def test_map_and_template_mistakes_are_reported(entry: str, expected: str) -> None:
    text = f"name: p\ntrigger:\n  event: track\ntransform:\n  custom_data:\n    - {entry}\n"
    with pytest.raises(PipelineLoadError) as raised:
        load_pipeline_text(text, file_name="p.yaml")
    assert [str(problem) for problem in raised.value.problems] == [expected]


def test_app_info_and_device_info_targets_are_checked_against_the_v5_model() -> None:
    text = (
        "name: p\ntrigger:\n  event: screen\ntransform:\n  mapping:\n"
        "    - {source: context.app.name, target: app_info.app_name}\n"
        "    - {source: context.device.model, target: device_info.modle}\n"
    )
    with pytest.raises(PipelineLoadError) as raised:
        load_pipeline_text(text, file_name="p.yaml")
    assert [str(problem) for problem in raised.value.problems] == [
        "p.yaml:7:46: transform.mapping[1].target: unknown target 'device_info.modle'; "
        "did you mean 'model'?"
    ]
