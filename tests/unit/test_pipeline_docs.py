"""The pipeline docs cannot drift: every key, operator and transform is documented, and the
how-to's examples produce exactly the output they show."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pinrelay.collect.messages import check_message
from pinrelay.pipeline import EventInput, PipelineSet, load_pipeline_text
from pinrelay.pipeline.conditions import GROUP_KEYS, OPERATORS
from pinrelay.pipeline.duplicates import duplicates_with_presets
from pinrelay.pipeline.fieldreader import FIELD_KEYS
from pinrelay.pipeline.loader import TOP_KEYS, TRIGGER_KEYS
from pinrelay.pipeline.model import TRANSFORM_SECTIONS
from pinrelay.pipeline.transforms import TRANSFORMS

DOCS = Path(__file__).parents[2] / "docs"
REFERENCE = (DOCS / "reference/pipelines.md").read_text()
HOWTO = (DOCS / "how-to/pipelines.md").read_text()
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)


EXAMPLE = re.compile(r"```|`[^`\n]*:[^`\n]*`")  # a fenced block, or inline code with a key


def documented(names: Iterable[str]) -> list[str]:
    """Names without a level-3 heading of their own whose text shows an example."""
    missing = []
    for name in names:
        sections = re.findall(rf"^### `{name}`\n(.+?)(?=^### |^## |\Z)", REFERENCE, re.M | re.S)
        if not any(EXAMPLE.search(text) for text in sections):
            missing.append(name)
    return missing


def test_every_operator_is_documented_with_an_example() -> None:
    assert documented([*OPERATORS, *GROUP_KEYS]) == []


def test_every_transform_is_documented_with_an_example() -> None:
    assert documented(TRANSFORMS) == []


def test_every_key_is_documented() -> None:
    keys = [*TOP_KEYS, *TRIGGER_KEYS, *TRANSFORM_SECTIONS, *FIELD_KEYS]
    assert documented(dict.fromkeys(keys)) == []


def howto_examples() -> list[tuple[str, str, str]]:
    blocks = [(kind, text) for kind, text in BLOCK.findall(HOWTO)]
    examples = []
    for index, (kind, text) in enumerate(blocks):
        if kind == "yaml" and text.startswith("name:"):
            (_, event), (_, output) = blocks[index + 1], blocks[index + 2]
            examples.append((text, event, output))
    return examples


def test_the_howto_has_three_mappings() -> None:
    assert len(howto_examples()) == 3


@pytest.mark.parametrize("example", howto_examples(), ids=lambda e: e[0].split("\n")[0])
def test_each_howto_mapping_produces_the_output_it_shows(example: tuple[str, str, str]) -> None:
    yaml, event, output = example
    pipelines = PipelineSet(load_pipeline_text(yaml, strict=True))
    (produced,) = pipelines.evaluate(EventInput(json.loads(event)))
    assert produced.event == json.loads(output)


@pytest.mark.parametrize("example", howto_examples(), ids=lambda e: e[0].split("\n")[0])
def test_each_howto_sample_is_one_the_collect_server_takes(example: tuple[str, str, str]) -> None:
    """Issue 14: samples without userId or anonymousId were refused with 400."""
    _, event, _ = example
    check_message(
        json.loads(event), default_type=None, received_at=datetime.now(UTC), batch_sent_at=None
    )


@pytest.mark.parametrize("example", howto_examples(), ids=lambda e: e[0].split("\n")[0])
def test_no_howto_mapping_sends_an_event_twice_beside_the_presets(
    example: tuple[str, str, str],
) -> None:
    """Issue 14: the GA4 example, deployed as written, sent every order twice."""
    yaml, _, _ = example
    assert duplicates_with_presets(load_pipeline_text(yaml, strict=True)) == []
