"""Load pipeline YAML files into validated `PipelineDefinition`s.

The format is the seed's `pinterest-checkout.yaml`, which loads unchanged. Extensions (all
optional, all additive):

- top level `identity: merge | none` (default `merge`): `none` stops the merge of the
  message's and the stored match keys into `user_data`.
- top level `description:` free text.
- `trigger.event` may be a list of message types; `trigger.fallback: true` makes a pipeline
  apply only when no non-fallback pipeline matched (the `custom` preset uses it).
- in a field mapping: `source` may be a list (first non-null wins); `transform` may be a list
  (applied in order); `field` may be a list (first non-null per item); `item_default` (value
  for an item without `field`, for `pluck` / `sum`); `allowed` (values outside the list are
  dropped); `each` (per-item sub-mapping, see `pipeline.compiler`).

Unknown keys, transforms and operators, bad paths and targets, and missing required keys are
all reported together in one `PipelineLoadError` with line:column positions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path as FilePath
from typing import Any

from pinrelay.pipeline.conditions import (
    GROUP_KEYS,
    LIST_OPERATORS,
    NUMBER_OPERATORS,
    OPERATORS,
    as_number,
)
from pinrelay.pipeline.fieldreader import FieldReader
from pinrelay.pipeline.identitycheck import identity_problem
from pinrelay.pipeline.loadproblems import (
    PipelineLoadError,
    PipelineProblem,
    ProblemCollector,
    did_you_mean,
    join_path,
)
from pinrelay.pipeline.model import (
    MAPPING_SECTIONS,
    MESSAGE_TYPES,
    TRANSFORM_SECTIONS,
    AnyCondition,
    ClickIdEnrichment,
    Condition,
    ConditionGroup,
    Enrichment,
    FieldMapping,
    IdentityEnrichment,
    IdentityMode,
    PipelineDefinition,
    StaticValue,
    Trigger,
)
from pinrelay.pipeline.paths import PathSyntaxError, parse_path
from pinrelay.pipeline.regex import pattern_problem
from pinrelay.pipeline.yamlmarks import (
    START,
    MarkedDict,
    YamlSyntaxError,
    load_marked_documents,
    plain,
)

TOP_KEYS = ("name", "integration", "description", "identity", "trigger", "transform", "output")
TRIGGER_KEYS = ("event", "conditions", "fallback")
CONDITION_KEYS = ("field", "operator", "value")
OUTPUT_KEYS = ("format", "endpoint", "auth", "validate", "duplicates")
IDENTITY_MODES: tuple[IdentityMode, ...] = ("merge", "none")
ENRICHMENT_TYPES = ("click_id", "identity")


def _read_condition(node: MarkedDict, path: str, problems: ProblemCollector) -> Condition | None:
    problems.check_keys(node, path, CONDITION_KEYS, ("field", "operator"))
    field = problems.text(node, "field", path)
    operator = problems.text(node, "operator", path)
    if field is not None:
        try:
            parse_path(field)
        except PathSyntaxError as error:
            problems.at(node, "field", join_path(path, "field"), str(error))
    if operator is None:
        return None
    if operator not in OPERATORS:
        hint = did_you_mean(operator, OPERATORS) or f"; expected one of {', '.join(OPERATORS)}"
        problems.at(
            node, "operator", join_path(path, "operator"), f"unknown operator {operator!r}{hint}"
        )
        return None
    needs_value = OPERATORS[operator][2]
    if needs_value and "value" not in node:
        problems.add(node.position, path, f"operator {operator!r} needs a 'value'")
    elif not needs_value and "value" in node:
        problems.at(
            node, "value", join_path(path, "value"), f"operator {operator!r} takes no value"
        )
    elif operator in LIST_OPERATORS and not isinstance(node.get("value"), list):
        problems.at(node, "value", join_path(path, "value"), f"operator {operator!r} needs a list")
    elif operator in NUMBER_OPERATORS and as_number(node.get("value")) is None:
        message = f"operator {operator!r} needs a number, e.g. value: 100"
        problems.at(node, "value", join_path(path, "value"), message)
    elif operator == "matches":
        problem = pattern_problem(node.get("value"))
        if problem is not None:
            message = f"operator 'matches' needs a regular expression ({problem}), e.g. '^order'"
            problems.at(node, "value", join_path(path, "value"), message)
    return None if field is None else Condition(field, operator, plain(node.get("value")))


def read_condition(node: MarkedDict, path: str, problems: ProblemCollector) -> AnyCondition | None:
    """A `{field, operator, value}` condition, or an `all:` / `any:` group of them."""
    groups = [key for key in GROUP_KEYS if key in node]
    if not groups:
        return _read_condition(node, path, problems)
    mode = groups[0]
    problems.check_keys(node, path, (mode,))
    items = problems.items(node, mode, join_path(path, mode))
    if items is not None and not items:
        problems.at(node, mode, join_path(path, mode), "must list at least one condition")
    parts: list[AnyCondition] = []
    for index in range(len(items or ())):
        item_path = f"{join_path(path, mode)}[{index}]"
        item_node = problems.mapping(items, index, item_path)
        part = None if item_node is None else read_condition(item_node, item_path, problems)
        if part is not None:
            parts.append(part)
    return ConditionGroup("all" if mode == "all" else "any", tuple(parts)) if parts else None


def _read_trigger(node: MarkedDict, problems: ProblemCollector) -> Trigger | None:
    path = "trigger"
    problems.check_keys(node, path, TRIGGER_KEYS, ("event",))
    event_types = problems.texts(node, "event", path) or ()
    for event_type in event_types:
        if event_type not in MESSAGE_TYPES:
            hint = did_you_mean(event_type, MESSAGE_TYPES)
            problems.at(
                node, "event", "trigger.event", f"unknown message type {event_type!r}{hint}"
            )
    fallback = node.get("fallback", False)
    if not isinstance(fallback, bool):
        problems.at(node, "fallback", "trigger.fallback", "must be true or false")
    conditions: list[AnyCondition] = []
    items = (
        problems.items(node, "conditions", "trigger.conditions") if "conditions" in node else None
    )
    for index in range(len(items or ())):
        item_path = f"trigger.conditions[{index}]"
        item_node = problems.mapping(items, index, item_path)
        condition = None if item_node is None else read_condition(item_node, item_path, problems)
        if condition is not None:
            conditions.append(condition)
    if not event_types:
        return None
    return Trigger(event_types, tuple(conditions), fallback is True)


def _read_enrichment(
    node: MarkedDict, path: str, fields: FieldReader, problems: ProblemCollector
) -> Enrichment | None:
    kind = problems.text(node, "type", path)
    if kind is None:
        if "type" not in node:
            expected = " or ".join(ENRICHMENT_TYPES)
            problems.add(node.position, path, f"missing required key 'type' ({expected})")
        return None
    if kind == "click_id":
        problems.check_keys(node, path, ("type", "param", "cookies", "target"), ("target",))
        target = fields.target(node, path, relative_to=None)
        param = problems.text(node, "param", path) or "epik"
        cookies = problems.texts(node, "cookies", path) or ("_epik",)
        return None if target is None else ClickIdEnrichment(target, param, cookies)
    if kind == "identity":
        mapping = fields.read(node, path, relative_to=None, extra_keys=("type",))
        return None if mapping is None else IdentityEnrichment(mapping)
    hint = did_you_mean(kind, ENRICHMENT_TYPES)
    problems.at(node, "type", join_path(path, "type"), f"unknown enrichment type {kind!r}{hint}")
    return None


def _read_transform(
    node: MarkedDict, problems: ProblemCollector
) -> tuple[tuple[StaticValue, ...], dict[str, tuple[FieldMapping, ...]], tuple[Enrichment, ...]]:
    problems.check_keys(node, "transform", TRANSFORM_SECTIONS)
    fields = FieldReader(problems)
    statics: list[StaticValue] = []
    sections: dict[str, tuple[FieldMapping, ...]] = {}
    enrichments: list[Enrichment] = []
    for section in TRANSFORM_SECTIONS:
        section_path = f"transform.{section}"
        items = problems.items(node, section, section_path) if section in node else None
        read: list[Any] = []
        for index, _ in enumerate(items or ()):
            item_path = f"{section_path}[{index}]"
            item = problems.mapping(items, index, item_path)
            if item is None:
                continue
            if section == "static":
                problems.check_keys(item, item_path, ("target", "value"), ("target", "value"))
                target = fields.target(item, item_path, relative_to=None)
                if target is not None and "value" in item:
                    statics.append(StaticValue(target, plain(item["value"])))
            elif section == "enrichments":
                read.append(_read_enrichment(item, item_path, fields, problems))
            else:
                relative = "custom_data" if section == "custom_data" else None
                read.append(fields.read(item, item_path, relative_to=relative))
        if section == "enrichments":
            enrichments = [item for item in read if item is not None]
        elif section in MAPPING_SECTIONS:
            sections[section] = tuple(item for item in read if item is not None)
    return tuple(statics), sections, tuple(enrichments)


def _read_output(node: MarkedDict, problems: ProblemCollector) -> dict[str, Any]:
    problems.check_keys(node, "output", OUTPUT_KEYS)
    for key in ("format", "endpoint", "auth"):
        problems.text(node, key, "output")
    if "validate" in node and not isinstance(node["validate"], bool):
        problems.at(node, "validate", "output.validate", "must be true or false")
    if "duplicates" in node and node["duplicates"] != "intended":
        problems.at(
            node, "duplicates", "output.duplicates",
            "must be 'intended': this pipeline may send the same event as another for one message",
        )  # fmt: skip
    output: dict[str, Any] = plain(node)
    return output


def read_definition(
    document: Any, problems: ProblemCollector, *, strict: bool = False
) -> PipelineDefinition | None:
    """A definition from one parsed YAML document; None (with problems) when invalid.

    `strict` adds the checks of what loads but cannot work (`pipeline.identitycheck`): on
    for user pipelines (CLI, directory, admin API), off for building blocks in tests."""
    if not isinstance(document, MarkedDict):
        problems.add(getattr(document, "position", START), "", "a pipeline must be a mapping")
        return None
    before = len(problems.problems)
    problems.check_keys(document, "", TOP_KEYS, ("name", "trigger", "transform"))
    name = problems.text(document, "name", "")
    integration = problems.text(document, "integration", "")
    description = problems.text(document, "description", "")
    identity = document.get("identity", "merge")
    if identity not in IDENTITY_MODES:
        problems.at(document, "identity", "identity", "must be 'merge' or 'none'")
    trigger_node = (
        problems.mapping(document, "trigger", "trigger") if "trigger" in document else None
    )
    trigger = _read_trigger(trigger_node, problems) if trigger_node is not None else None
    transform_node = (
        problems.mapping(document, "transform", "transform") if "transform" in document else None
    )
    statics, sections, enrichments = (
        _read_transform(transform_node, problems) if transform_node is not None else ((), {}, ())
    )
    output_node = problems.mapping(document, "output", "output") if "output" in document else None
    output = _read_output(output_node, problems) if output_node is not None else {}
    if name is None or trigger is None or len(problems.problems) > before:
        return None
    definition = PipelineDefinition(
        name=name,
        trigger=trigger,
        static=statics,
        sections=sections,
        enrichments=enrichments,
        integration=integration,
        identity="none" if identity == "none" else "merge",
        output=output,
        description=description,
        origin=problems.file,
    )
    problem = identity_problem(definition) if strict else None
    if problem is not None:
        problems.at(document, "identity", "identity", problem)
        return None
    return definition


def _read_text(
    text: str, problems: ProblemCollector, *, strict: bool = False
) -> list[PipelineDefinition]:
    try:
        documents, duplicates = load_marked_documents(text)
    except YamlSyntaxError as error:
        problems.add(error.position, "", f"invalid YAML: {error.message}")
        return []
    for duplicate in duplicates:
        problems.add(duplicate.position, duplicate.key, f"duplicate key {duplicate.key!r}")
    documents = [document for document in documents if document is not None]
    if not documents:
        problems.add(START, "", "the file holds no pipeline")
    definitions = [read_definition(document, problems, strict=strict) for document in documents]
    return [definition for definition in definitions if definition is not None]


def load_pipeline_text(
    text: str, *, file_name: str = "<string>", strict: bool = False
) -> list[PipelineDefinition]:
    """Definitions from YAML text (one pipeline per `---` document)."""
    problems = ProblemCollector(file_name)
    definitions = _read_text(text, problems, strict=strict)
    if problems.problems:
        raise PipelineLoadError(problems.in_file_order())
    return definitions


def load_pipeline_files(
    paths: Iterable[str | os.PathLike[str]], *, strict: bool = False
) -> list[PipelineDefinition]:
    """Definitions from several files; every problem of every file in one error."""
    found: list[PipelineProblem] = []
    definitions: list[PipelineDefinition] = []
    for path in paths:
        file_name = os.fspath(path)
        problems = ProblemCollector(file_name)
        try:
            text = FilePath(file_name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.add(START, "", f"cannot read the file: {error}")
        else:
            definitions.extend(_read_text(text, problems, strict=strict))
        found.extend(problems.in_file_order())
    if found:
        raise PipelineLoadError(found)
    return definitions


def load_pipeline_file(
    path: str | os.PathLike[str], *, strict: bool = False
) -> list[PipelineDefinition]:
    """Definitions from one YAML file."""
    return load_pipeline_files([path], strict=strict)
