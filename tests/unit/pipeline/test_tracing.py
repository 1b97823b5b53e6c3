"""Why no pipeline mapped an event: the sentence the event debugger shows."""

from __future__ import annotations

from pinrelay.pipeline import PipelineSet, load_pipeline_text, load_presets
from pinrelay.pipeline.tracing import why_no_pipeline

BIG_ORDERS = """\
name: big_orders
trigger:
  event: track
  conditions:
    - {field: event, operator: equals, value: Order Completed}
    - {field: properties.revenue, operator: gte, value: 100}
transform:
  static:
    - {target: event_name, value: checkout}
"""


def test_no_pipeline_at_all() -> None:
    reason = why_no_pipeline(PipelineSet(), {"type": "track", "event": "x"})
    assert reason.startswith("this integration has no pipelines")


def test_no_pipeline_for_the_message_type() -> None:
    reason = why_no_pipeline(load_presets(), {"type": "identify"})
    assert reason == "no pipeline is triggered by identify messages"


def test_no_pipeline_for_the_event_name() -> None:
    presets = load_presets(custom_events=False)
    reason = why_no_pipeline(presets, {"type": "track", "event": "Newsletter Opened"})
    assert reason == (
        "no pipeline is triggered by track 'Newsletter Opened' and no fallback pipeline "
        "applies (custom events off?)"
    )


def test_the_condition_that_failed_is_named_without_quoting_the_message() -> None:
    pipelines = PipelineSet(load_pipeline_text(BIG_ORDERS))
    message = {"type": "track", "event": "order_completed", "properties": {"revenue": 42}}
    reason = why_no_pipeline(pipelines, message)
    assert reason == (
        "no pipeline's conditions held for track 'order_completed': "
        "big_orders: properties.revenue gte 100"
    )
    assert "42" not in reason
