"""Loading pipeline YAML: the format, its extensions, and errors that say where to fix."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import yaml

from pinrelay.errors import PipelineError
from pinrelay.pipeline import (
    PipelineLoadError,
    load_pipeline_file,
    load_pipeline_files,
    load_pipeline_text,
)
from pinrelay.pipeline.model import (
    NO_DEFAULT,
    ClickIdEnrichment,
    Condition,
    FieldMapping,
    IdentityEnrichment,
    StaticValue,
    Trigger,
)
from pinrelay.pipeline.presets import preset_definitions

from .conftest import FIXTURES, SEED_PIPELINE

MINIMAL = """\
name: p
trigger:
  event: track
transform:
  static:
    - target: event_name
      value: custom
"""


def problems_of(text: str, file_name: str = "p.yaml") -> list[str]:
    with pytest.raises(PipelineLoadError) as raised:
        load_pipeline_text(text, file_name=file_name)
    assert isinstance(raised.value, PipelineError)
    return [str(problem) for problem in raised.value.problems]


def test_every_problem_of_a_file_is_reported_at_once_in_file_order() -> None:
    with pytest.raises(PipelineLoadError) as raised:
        load_pipeline_file(FIXTURES / "invalid-checkout.yaml")
    file = str(FIXTURES / "invalid-checkout.yaml")
    assert str(raised.value).splitlines() == [
        f"{file}:3:10: trigger.event: unknown message type 'trak'; did you mean 'track'?",
        f"{file}:6:17: trigger.conditions[0].operator: unknown operator 'equal'; "
        "did you mean 'equals'?",
        f"{file}:10:14: trigger.conditions[1].value: operator 'in' needs a list",
        f"{file}:15:18: transform.mapping[0].transform: unknown transform 'unix_second'; "
        "did you mean 'unix_seconds'?",
        f"{file}:17:15: transform.mapping[1].target: unknown target 'event_source_ulr'; "
        "did you mean 'event_source_url'?",
        f"{file}:18:7: transform.mapping[2]: needs a 'source' (or a 'default' or 'template')",
        f"{file}:23:18: transform.custom_data[0].transform: transform 'pluck' needs a 'field'",
        f"{file}:25:15: transform.custom_data[1].target: unknown target 'custom_data.valeu'; "
        "did you mean 'value'?",
        f"{file}:26:7: transform.custom_data[1].defualt: unknown key 'defualt'; "
        "did you mean 'default'?",
        f"{file}:28:13: transform.enrichments[0].type: unknown enrichment type 'click'; "
        "did you mean 'click_id'?",
        f"{file}:30:1: outputs: unknown key 'outputs'; did you mean 'output'?",
    ]


def test_seed_loads_into_the_expected_definition() -> None:
    [seed] = load_pipeline_file(SEED_PIPELINE)
    assert seed.name == "pinterest_checkout"
    assert seed.integration == "pinterest-conversions-api"
    assert seed.trigger == Trigger(("track",), (Condition("event", "equals", "order_completed"),))
    assert seed.static == (
        StaticValue("event_name", "checkout"),
        StaticValue("action_source", "web"),
    )
    assert seed.sections["dedup"] == (FieldMapping("event_id", ("message_id",)),)
    assert seed.sections["custom_data"][0] == FieldMapping(
        "custom_data.currency", ("properties.currency",), default="USD"
    )
    assert seed.sections["custom_data"][2] == FieldMapping(
        "custom_data.content_ids", ("properties.products",), ("pluck",), field=("product_id",)
    )
    assert seed.enrichments == (
        ClickIdEnrichment("user_data.click_id", "epik", ("_epik",)),
        IdentityEnrichment(
            FieldMapping("user_data.external_id", ("user_id",), ("normalised_sha256",))
        ),
    )
    assert seed.identity == "merge"
    assert seed.output["validate"] is True


def test_extensions_load() -> None:
    text = """\
name: ext
description: every extension at once
identity: none
trigger:
  event: [track, screen]
  fallback: true
transform:
  custom_data:
    - source: [properties.revenue, properties.total]
      target: value
      transform: [decimal_string]
    - source: properties.products
      target: num_items
      transform: sum
      field: [quantity, qty]
      item_default: 1
    - source: properties.products
      target: custom_data.contents
      each:
        - {source: sku, target: id, allowed: [a, b]}
"""
    [definition] = load_pipeline_text(text)
    assert definition.identity == "none"
    assert definition.description == "every extension at once"
    assert definition.trigger == Trigger(("track", "screen"), (), fallback=True)
    value, num_items, contents = definition.sections["custom_data"]
    assert value.sources == ("properties.revenue", "properties.total")
    assert num_items.field == ("quantity", "qty")
    assert num_items.item_default == 1
    assert contents.target == "custom_data.contents"
    assert contents.default is NO_DEFAULT
    assert contents.each == (FieldMapping("id", ("sku",), allowed=("a", "b")),)


def test_several_documents_in_one_file() -> None:
    text = MINIMAL + "---\n" + MINIMAL.replace("name: p", "name: q")
    assert [d.name for d in load_pipeline_text(text)] == ["p", "q"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["p.yaml:1:1: the file holds no pipeline"]),
        ("- a\n- b\n", ["p.yaml:1:1: a pipeline must be a mapping"]),
        (
            "name: [unclosed\n",
            ["p.yaml:2:1: invalid YAML: expected ',' or ']', but got '<stream end>'"],
        ),
        (
            "name: p\n",
            [
                "p.yaml:1:1: missing required key 'trigger'",
                "p.yaml:1:1: missing required key 'transform'",
            ],
        ),
        (MINIMAL + "name: again\n", ["p.yaml:8:1: name: duplicate key 'name'"]),
        (
            MINIMAL.replace("event: track", "event: track\n  fallback: sometimes"),
            ["p.yaml:4:13: trigger.fallback: must be true or false"],
        ),
        (MINIMAL + "identity: partial\n", ["p.yaml:8:11: identity: must be 'merge' or 'none'"]),
        (
            MINIMAL.replace("transform:\n", "transform:\n  mapping: {a: 1}\n"),
            ["p.yaml:5:12: transform.mapping: must be a list, not a mapping"],
        ),
        (
            MINIMAL + "  user_data:\n    - source: traits.email\n"
            "      target: user_data.client_ip_address\n      transform: normalised_sha256\n",
            [
                "p.yaml:11:18: transform.user_data[0].transform: normalised_sha256 needs a hashed "
                "user_data target (one of country, ct, db, em, external_id, fn, ge, hashed_maids, "
                "ln, ph, st, zp)"
            ],
        ),
        (
            MINIMAL + "  mapping:\n    - source: a..b\n      target: event_id\n      field: x\n",
            [
                "p.yaml:9:15: transform.mapping[0].source: cannot read path segment '' of 'a..b'",
                "p.yaml:11:14: transform.mapping[0].field: 'field' is only read by the "
                "transforms count, pluck, sum, whole_items",
            ],
        ),
        (
            MINIMAL + "  custom_data:\n    - source: properties.products\n      target: contents\n"
            "      each:\n        - {source: sku, target: sku}\n",
            [
                "p.yaml:12:33: transform.custom_data[0].each[0].target: unknown target 'sku'",
            ],
        ),
        (
            MINIMAL.replace(
                "event: track",
                "event: track\n  conditions:\n    - field: event\n"
                "      operator: exists\n      value: x",
            ),
            ["p.yaml:7:14: trigger.conditions[0].value: operator 'exists' takes no value"],
        ),
        (
            MINIMAL.replace(
                "event: track",
                "event: track\n  conditions:\n    - field: event\n      operator: equals",
            ),
            ["p.yaml:5:7: trigger.conditions[0]: operator 'equals' needs a 'value'"],
        ),
        (
            MINIMAL.replace("target: event_name", "target: user_data.phh"),
            [
                "p.yaml:6:15: transform.static[0].target: unknown target 'user_data.phh'; "
                "did you mean 'ph'?"
            ],
        ),
        (
            MINIMAL.replace("event_name", "custom_data.x.y"),
            ["p.yaml:6:15: transform.static[0].target: unknown target 'custom_data.x.y'"],
        ),
        (
            MINIMAL.replace("event_name", "event name"),
            ["p.yaml:6:15: transform.static[0].target: 'event name' is not a dotted name"],
        ),
    ],
)
def test_problems(text: str, expected: list[str]) -> None:
    assert problems_of(text) == expected


def test_files_are_loaded_together_and_all_their_problems_reported(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(MINIMAL)
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("value: custom", "value: custom\n      extra: 1"))
    missing = tmp_path / "missing.yaml"
    assert [d.name for d in load_pipeline_files([good])] == ["p"]
    with pytest.raises(PipelineLoadError) as raised:
        load_pipeline_files([good, bad, missing])
    messages = [str(problem) for problem in raised.value.problems]
    assert messages[0] == f"{bad}:8:7: transform.static[0].extra: unknown key 'extra'"
    assert messages[1].startswith(f"{missing}:1:1: cannot read the file: ")
    assert len(messages) == 2


def test_an_enrichment_without_a_type_says_which_types_exist() -> None:
    text = MINIMAL + "  enrichments:\n    - target: user_data.click_id\n"
    assert problems_of(text) == [
        "p.yaml:9:7: transform.enrichments[0]: missing required key 'type' (click_id or identity)"
    ]


def test_plain_safe_load_is_not_changed_by_the_marked_loader() -> None:
    load_pipeline_text(MINIMAL)
    loaded = yaml.safe_load("a: [1]")
    assert type(loaded) is dict
    assert type(loaded["a"]) is list


def test_a_definition_survives_pickling_with_its_missing_defaults_still_missing() -> None:
    """Import workers receive definitions pickled (collect.mappingpool): `is NO_DEFAULT` checks
    must still hold there, or a field without a default would get the sentinel as value."""
    definitions = preset_definitions()
    mappings = [m for d in definitions for section in d.sections.values() for m in section]

    copies = pickle.loads(pickle.dumps(definitions))  # noqa: S301 (our own bytes)

    assert copies == definitions
    assert pickle.loads(pickle.dumps(NO_DEFAULT)) is NO_DEFAULT  # noqa: S301
    copied = [m for d in copies for section in d.sections.values() for m in section]
    assert [m.has_default for m in copied] == [m.has_default for m in mappings]
    assert not all(m.has_default for m in mappings)
