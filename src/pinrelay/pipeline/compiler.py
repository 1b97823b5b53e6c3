"""Turn validated definitions into the callables that run per event.

Everything that can be prepared once is: paths are parsed, transforms built, targets split.
A compiled field is `run(root, notes) -> value | MISSING`; `root` is the message, or one item
of an array for the fields of an `each` sub-mapping.

Per-item sub-mapping (`each`), used to build `custom_data.contents`:

    - source: properties.products      # an array (or one object, taken as a one-item list)
      target: contents
      each:                            # sources and targets relative to one item
        - {source: [product_id, id, sku], target: id, transform: to_string}
        - {source: price, target: item_price, transform: decimal_string}
        - {source: quantity, target: quantity, transform: to_int}

Items that map to nothing are left out, and an empty result counts as missing.

Value order of one field: first non-null source, then `each`, then the transforms in order,
then `allowed`; an empty result ("", [], {}) counts as missing, and a missing value takes the
`default` (used as written, not transformed).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from pinrelay.identity.clickid import click_id_of
from pinrelay.identity.hashing import HASHED_KEYS, is_sha256_hex
from pinrelay.pipeline.events import EventInput
from pinrelay.pipeline.model import (
    NO_DEFAULT,
    ClickIdEnrichment,
    FieldMapping,
    IdentityEnrichment,
    PipelineDefinition,
)
from pinrelay.pipeline.paths import MISSING, Path
from pinrelay.pipeline.transforms import NO_SOURCE, TRANSFORMS, TransformArgs, TransformError

FieldRun = Callable[[Any, list[str]], Any]
Writer = Callable[[EventInput, dict[str, Any], list[str]], None]


def fresh(value: Any) -> Callable[[], Any]:
    """A maker of `value` for each event: containers are copied, since later steps (shaping,
    the identity merge) change the event in place and must not change the definition."""
    if isinstance(value, dict | list):
        return lambda: copy.deepcopy(value)
    return lambda: value


def is_empty(value: Any) -> bool:
    return value is MISSING or value is None or (isinstance(value, str | list | dict) and not value)


def assign(target: dict[str, Any], parts: tuple[str, ...], value: Any) -> None:
    """Set `value` at the dotted target, creating the objects on the way."""
    for part in parts[:-1]:
        child = target.get(part)
        if not isinstance(child, dict):
            child = target[part] = {}
        target = child
    target[parts[-1]] = value


def _each_runner(each: tuple[FieldMapping, ...], label: str) -> Callable[[Any, list[str]], Any]:
    item_fields = tuple(
        (tuple(sub.target.split(".")), compile_field(sub, label=f"{label}[].{sub.target}"))
        for sub in each
    )

    def per_item(value: Any, notes: list[str]) -> Any:
        if isinstance(value, Mapping):
            value = [value]
        if not isinstance(value, list):
            notes.append(f"{label}: each: the source is not a list; field dropped")
            return MISSING
        built_items = []
        for item in value:
            built: dict[str, Any] = {}
            for parts, run in item_fields:
                item_value = run(item, notes)
                if item_value is not MISSING:
                    assign(built, parts, item_value)
            if built:
                built_items.append(built)
        return built_items

    return per_item


Steps = tuple[tuple[str, Callable[..., Any], bool], ...]  # (name, step, reads_root)


def transform_steps(mapping: FieldMapping) -> Steps:
    """The built transforms of `mapping`, in order."""
    args = TransformArgs(
        target_key=mapping.target.rsplit(".", 1)[-1],
        fields=tuple(Path.parse(name) for name in mapping.field),
        item_default=mapping.item_default,
        values=mapping.values,
        template=mapping.template,
    )
    return tuple(
        (name, TRANSFORMS[name].build(args), TRANSFORMS[name].reads_root)
        for name in mapping.transforms
    )


def compile_field(mapping: FieldMapping, *, label: str | None = None) -> FieldRun:
    """The runner of one field mapping (see the module docstring for the order of steps)."""
    label = label or mapping.target
    sources = tuple(Path.parse(source) for source in mapping.sources)
    steps = transform_steps(mapping)
    # `template` first and no source: the template alone makes the value
    start = NO_SOURCE if not sources and steps and steps[0][2] else MISSING
    per_item = _each_runner(mapping.each, label) if mapping.each is not None else None
    allowed = mapping.allowed
    default = None if mapping.default is NO_DEFAULT else fresh(mapping.default)

    readers = tuple(source.reader() for source in sources)
    if start is MISSING and per_item is None and allowed is None and len(readers) == 1:
        return _simple_run(readers[0], steps, label, default)

    def run(root: Any, notes: list[str]) -> Any:
        value: Any = start
        for read in readers:
            value = read(root)
            if value is not MISSING:
                break
        if value is not MISSING and per_item is not None:
            value = per_item(value, notes)
        for name, step, reads_root in steps:
            if value is MISSING:
                break
            try:
                value = step(value, root) if reads_root else step(value)
            except TransformError as failure:
                notes.append(f"{label}: {name}: {failure.reason}; field dropped")
                value = MISSING
        if value is not MISSING and allowed is not None and value not in allowed:
            notes.append(f"{label}: the value is not one of the allowed values; field dropped")
            value = MISSING
        if is_empty(value):
            return MISSING if default is None else default()
        return value

    return run


def _simple_run(
    read: Callable[[Any], Any],
    steps: Steps,
    label: str,
    default: Callable[[], Any] | None,
) -> FieldRun:
    """`run` of the most common mapping (one source, maybe transforms, no `each` or
    `allowed`): the same steps in the same order, without the branches that cannot apply."""

    def run(root: Any, notes: list[str]) -> Any:
        value = read(root)
        if value is not MISSING:
            for name, step, reads_root in steps:
                try:
                    value = step(value, root) if reads_root else step(value)
                except TransformError as failure:
                    notes.append(f"{label}: {name}: {failure.reason}; field dropped")
                    value = MISSING
                    break
        if value is MISSING or value is None or (isinstance(value, _CONTAINERS) and not value):
            return MISSING if default is None else default()
        return value

    return run


_CONTAINERS = (str, list, dict)  # empty ones count as missing (`is_empty`)


def _field_writer(mapping: FieldMapping) -> Writer:
    parts = tuple(mapping.target.split("."))
    run = compile_field(mapping)

    def write(inp: EventInput, event: dict[str, Any], notes: list[str]) -> None:
        value = run(inp.message, notes)
        if value is not MISSING:
            assign(event, parts, value)

    return write


def _static_writer(target: str, value: Any) -> Writer:
    parts = tuple(target.split("."))
    make = fresh(value)
    return lambda inp, event, notes: assign(event, parts, make())


def _click_id_writer(enrichment: ClickIdEnrichment) -> Writer:
    parts = tuple(enrichment.target.split("."))

    def write(inp: EventInput, event: dict[str, Any], notes: list[str]) -> None:
        found = click_id_of(
            inp.message, inp.cookies, param=enrichment.param, cookie_names=enrichment.cookies
        )
        found = found or inp.stored_click_id
        if found is not None:
            assign(event, parts, found)

    return write


def _identity_writer(enrichment: IdentityEnrichment) -> Writer:
    """The mapping's value, else the hashes stored for this user under the target's key."""
    parts = tuple(enrichment.mapping.target.split("."))
    key = parts[-1]
    run = compile_field(enrichment.mapping)

    def write(inp: EventInput, event: dict[str, Any], notes: list[str]) -> None:
        value = run(inp.message, notes)
        if value is MISSING and key in HASHED_KEYS:
            stored = [v.lower() for v in inp.identity_keys.get(key, ()) if is_sha256_hex(v)]
            value = stored or MISSING
        if value is not MISSING:
            assign(event, parts, value)

    return write


def compile_writers(definition: PipelineDefinition) -> tuple[Writer, ...]:
    """Writers in application order: static, the mapping sections, enrichments."""
    writers = [_static_writer(static.target, static.value) for static in definition.static]
    for mappings in definition.sections.values():
        writers.extend(_field_writer(mapping) for mapping in mappings)
    for enrichment in definition.enrichments:
        if isinstance(enrichment, ClickIdEnrichment):
            writers.append(_click_id_writer(enrichment))
        else:
            writers.append(_identity_writer(enrichment))
    return tuple(writers)
