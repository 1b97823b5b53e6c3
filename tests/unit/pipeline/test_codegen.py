"""Generated pipeline functions: the same events and notes as the closure interpreter, and
user input that stays data."""

from __future__ import annotations

import ast
import copy
import json
import re
import textwrap
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pinrelay.pipeline import EventInput, codegen, evaluator, load_pipeline_file, load_pipeline_text
from pinrelay.pipeline.codegen import generated_source
from pinrelay.pipeline.evaluator import CompiledPipeline
from pinrelay.pipeline.model import PipelineDefinition
from pinrelay.pipeline.presets import preset_definitions
from pinrelay.pipeline.transforms import TransformError, decimal_string

from .conftest import SEED_PIPELINE
from .strategies import definitions, inputs, junk, messages

KNOWN = [*preset_definitions(), *load_pipeline_file(SEED_PIPELINE)]
COMPILED = [CompiledPipeline.compile(definition) for definition in KNOWN]


def outcome(run: Any, inp: EventInput) -> tuple[str, ...]:
    """What a run gives, as text: repr keeps key order, types (1 against 1.0) and NaN."""
    try:
        output = run(inp)
    except Exception as error:  # the two must fail alike too
        return ("raised", type(error).__name__, str(error))
    return (output.pipeline, repr(output.event), repr(output.notes), output.origin)


def assert_same(pipeline: CompiledPipeline, message: Any, extra: dict[str, Any]) -> None:
    inp = EventInput(copy.deepcopy(message), **extra)
    reference_inp = replace(inp, message=copy.deepcopy(message))
    assert outcome(pipeline.run, inp) == outcome(pipeline.run_reference, reference_inp)
    assert repr(inp.message) == repr(reference_inp.message)  # the message changed alike


def _scramble(value: Any) -> None:
    """Change every container of an output in place."""
    if isinstance(value, dict):
        for item in list(value.values()):
            _scramble(item)
        value["scrambled"] = True
    elif isinstance(value, list):
        for item in list(value):
            _scramble(item)
        value.append("scrambled")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    index=st.integers(0, len(COMPILED) - 1),
    message=messages,
    extra=inputs,
)
def test_presets_and_the_seed_give_what_the_reference_gives(
    index: int, message: dict[str, Any], extra: dict[str, Any]
) -> None:
    assert_same(COMPILED[index], message, extra)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definition=definitions(), message=messages, extra=inputs)
def test_generated_definitions_give_what_the_reference_gives(
    definition: PipelineDefinition, message: dict[str, Any], extra: dict[str, Any]
) -> None:
    assert_same(CompiledPipeline.compile(definition), message, extra)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definition=definitions(), message=messages, extra=inputs)
def test_events_share_nothing_with_each_other_or_the_message(
    definition: PipelineDefinition, message: dict[str, Any], extra: dict[str, Any]
) -> None:
    pipeline = CompiledPipeline.compile(definition)
    first_message = copy.deepcopy(message)
    try:
        first = pipeline.run(EventInput(first_message, **extra))
    except TransformError:
        return
    after_run = repr(first_message)
    _scramble(first.event)
    assert repr(first_message) == after_run  # the event holds no container of the message
    assert_same(pipeline, message, extra)  # nor one the next event gets (statics, defaults)


def test_the_presets_and_the_seed_are_generated_without_falling_back_to_closures() -> None:
    for pipeline in COMPILED:
        assert not re.search(r"\b_[fr][0-9]+\(", pipeline.source), pipeline.name


def test_generated_source_is_python_of_our_own_names_only() -> None:
    """Identifiers in generated code come from a fixed vocabulary and counters."""
    counted = re.compile(r"_?[a-z]+[0-9]+|_[A-Z][A-Za-z_]*|_[a-z_]+")  # locals, bound names
    vocabulary = {"run", "inp", "message", "notes", "event", "shape", "clean", "v", "x"}
    vocabulary |= {"failure", "user_data", "param", "cookie_names", "identity_keys"}
    vocabulary |= {"message_keys", "dict", "list", "str", "int", "isinstance", "tuple", "all"}
    for pipeline in COMPILED:
        tree = ast.parse(pipeline.source)
        for node in ast.walk(tree):
            name = getattr(node, "id", None) or getattr(node, "arg", None)
            if isinstance(name, str):
                assert name in vocabulary or counted.fullmatch(name), (pipeline.name, name)


HOSTILE = "x'\"\\\n}{0}{__import__('os').system('false')}\u2028\r# "


def test_hostile_names_and_values_stay_data() -> None:
    hostile, braces_free = json.dumps(HOSTILE), json.dumps(re.sub("[{}]", "", HOSTILE))
    text = f"""
name: {hostile}
trigger:
  event: track
transform:
  static:
    - target: partner_name
      value: {hostile}
  mapping:
    - source: "properties.x'),__import__('os'),('"
      target: event_source_url
      default: {hostile}
    - source: "properties.a\\"b"
      target: action_source
      allowed: [{hostile}, "web"]
    - source: properties.kind
      target: app_name
      transform: map
      values: {{{hostile}: {hostile}}}
    - source: properties.kind
      target: app_version
      transform: [template, to_string]
      template: {json.dumps("{{" + json.loads(braces_free) + "}}{value}")}
"""
    [definition] = load_pipeline_text(text)
    assert definition.name == HOSTILE
    source = generated_source(definition)
    assert "__import__('os').system" not in source.replace(repr(HOSTILE), "")
    pipeline = CompiledPipeline.compile(definition)
    message = {
        "type": "track",
        "properties": {"x'),__import__('os'),('": 7, 'a"b': HOSTILE, "kind": HOSTILE},
    }
    output = pipeline.run(EventInput(message))
    assert output == pipeline.run_reference(EventInput(message))
    assert output.pipeline == HOSTILE
    assert output.event["partner_name"] == HOSTILE
    assert output.event["event_source_url"] == 7
    assert output.event["action_source"] == HOSTILE
    assert output.event["app_name"] == HOSTILE
    assert output.event["app_version"] == "{" + json.loads(braces_free) + "}" + HOSTILE


@given(value=junk)
def test_decimal_string_gives_its_own_results_unchanged(value: Any) -> None:
    """What lets generated code skip shaping a decimal_string result (codeproofs)."""
    try:
        once = decimal_string(value)
    except TransformError:
        return
    assert decimal_string(once) == once


def test_the_module_docstring_shows_what_is_generated() -> None:
    [definition] = load_pipeline_text(
        "name: lead\ntrigger: {event: track}\ntransform:\n"
        "  static: [{target: event_name, value: lead}]\n"
        "  mapping: [{source: message_id, target: event_id, transform: to_string}]\n"
        "  context: [{source: context.ip, target: user_data.client_ip_address}]\n"
    )
    source = generated_source(definition).replace("'<string>'", "'<memory>'")
    source = source.replace("inp.identity_keys, message_keys=inp.message_keys, notes=notes)", "")
    shown = (codegen.__doc__ or "").split("    def run(inp):")[1].split("\n\n`_t0`")[0]
    shown = textwrap.dedent("    def run(inp):" + shown.replace("inp.identity_keys, ...)", ""))
    assert shown.strip() == source.strip()


def test_a_definition_python_cannot_compile_is_interpreted(monkeypatch: pytest.MonkeyPatch) -> None:
    def too_deep(definition: PipelineDefinition) -> None:
        raise RecursionError

    monkeypatch.setattr(evaluator, "generate_run", too_deep)
    message = {"type": "track", "event": "Order Completed", "properties": {"revenue": 3}}
    for definition in KNOWN:
        pipeline = CompiledPipeline.compile(definition)
        assert pipeline.source == ""
        assert pipeline.run(EventInput(message)) == pipeline.run_reference(EventInput(message))
