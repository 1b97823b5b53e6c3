"""Validation of field mappings and targets (`{source, target, transform, ...}`).

Targets are checked against the v5 event schema's key lists (pinterest-capi.md §2.2, §2.4,
§2.5): the event and `custom_data` are `additionalProperties: false`, so a misspelt target
would be rejected by Pinterest on every event; it is cheaper to say so at load time.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from pinrelay.identity.hashing import HASHED_KEYS
from pinrelay.pinterest.model import AppInfo, DeviceInfo
from pinrelay.pipeline.loadproblems import ProblemCollector, did_you_mean, join_path
from pinrelay.pipeline.model import (
    CONTENT_ITEM_KEYS,
    CUSTOM_DATA_KEYS,
    EVENT_KEYS,
    NO_DEFAULT,
    USER_DATA_KEYS,
    FieldMapping,
)
from pinrelay.pipeline.paths import PathSyntaxError, parse_path
from pinrelay.pipeline.transforms import TRANSFORMS, template_fields
from pinrelay.pipeline.yamlmarks import MarkedDict, plain

FIELD_KEYS = (
    "source",
    "target",
    "transform",
    "field",
    "default",
    "item_default",
    "allowed",
    "each",
    "values",
    "template",
)
_TARGET_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Keys known under a target, for the schema check and the suggestions.
_KNOWN_CHILD_KEYS: dict[str, Collection[str]] = {
    "user_data": USER_DATA_KEYS,
    "custom_data": CUSTOM_DATA_KEYS,
    # pinterest-capi.md §2.2: both objects are additionalProperties: false (our v5 model)
    "app_info": AppInfo.__struct_fields__,
    "device_info": DeviceInfo.__struct_fields__,
}
_KEY_EXAMPLES = {
    "values": "values: {gold: premium, silver: standard}",
    "template": "template: 'order {properties.order_id}'",
}
_TRANSFORM_LIST = ", ".join(TRANSFORMS)
_FIELD_TRANSFORMS = sorted(name for name, spec in TRANSFORMS.items() if spec.uses_field)


class FieldReader:
    """Reads mapping entries, recording every problem on the shared collector."""

    def __init__(self, problems: ProblemCollector) -> None:
        self.problems = problems

    def target(
        self,
        node: MarkedDict,
        path: str,
        *,
        relative_to: str | None,
        within_item: bool = False,
        item_keys: Collection[str] | None = None,
    ) -> str | None:
        """The full target path; `relative_to` prefixes a relative one (custom_data).

        Inside `each` (`within_item`) targets are relative to the item and checked against
        `item_keys` when the item has a known schema (`contents[]`).
        """
        text = self.problems.text(node, "target", path)
        if text is None:
            return None
        here = join_path(path, "target")
        if relative_to is not None and not text.startswith(f"{relative_to}."):
            text = f"{relative_to}.{text}"
        parts = text.split(".")
        if not all(_TARGET_PART.fullmatch(part) for part in parts):
            self.problems.at(node, "target", here, f"{text!r} is not a dotted name")
            return None
        if within_item:
            if item_keys is None:
                return text
            known, checked = item_keys, parts[0]
        elif len(parts) >= 2 and parts[0] in _KNOWN_CHILD_KEYS:
            known, checked = _KNOWN_CHILD_KEYS[parts[0]], parts[1]
        else:
            known, checked = EVENT_KEYS, parts[0]
        if checked not in known:
            hint = did_you_mean(checked, known)
            self.problems.at(node, "target", here, f"unknown target {text!r}{hint}")
            return None
        return text

    def _paths(self, node: MarkedDict, key: str, path: str) -> tuple[str, ...]:
        values = self.problems.texts(node, key, path) or ()
        for value in values:
            try:
                parse_path(value)
            except PathSyntaxError as error:
                self.problems.at(node, key, join_path(path, key), str(error))
        return values

    def _transforms(self, node: MarkedDict, path: str, target: str | None) -> tuple[str, ...]:
        names = self.problems.texts(node, "transform", path) or ()
        here = join_path(path, "transform")
        for name in names:
            spec = TRANSFORMS.get(name)
            if spec is None:
                hint = (
                    did_you_mean(name, TRANSFORMS) or f"; expected one of {', '.join(TRANSFORMS)}"
                )
                self.problems.at(node, "transform", here, f"unknown transform {name!r}{hint}")
            elif spec.needs_key is not None and spec.needs_key not in node:
                example = _KEY_EXAMPLES[spec.needs_key]
                message = f"transform {name!r} needs a '{spec.needs_key}' key, e.g. {example}"
                self.problems.at(node, "transform", here, message)
            elif spec.needs_field and "field" not in node:
                self.problems.at(node, "transform", here, f"transform {name!r} needs a 'field'")
            elif spec.hashes and target is not None and not _is_hashed_target(target):
                keys = ", ".join(sorted(HASHED_KEYS))
                message = f"{name} needs a hashed user_data target (one of {keys})"
                self.problems.at(node, "transform", here, message)
        uses_field = any(TRANSFORMS[n].uses_field for n in names if n in TRANSFORMS)
        for key, owner in (("values", "map"), ("template", "template")):
            if key in node and owner not in names:
                message = f"'{key}' is only read by the transform '{owner}'; add transform: {owner}"
                self.problems.at(node, key, join_path(path, key), message)
        if "template" in names and "source" not in node and names[0] != "template":
            message = "without a 'source', 'template' must be the first transform"
            self.problems.at(node, "transform", here, message)
        for key in ("field", "item_default"):
            if key in node and not uses_field:
                message = f"'{key}' is only read by the transforms {', '.join(_FIELD_TRANSFORMS)}"
                self.problems.at(node, key, join_path(path, key), message)
        return names

    def read(
        self,
        node: MarkedDict,
        path: str,
        *,
        relative_to: str | None,
        extra_keys: tuple[str, ...] = (),
        within_item: bool = False,
        item_keys: Collection[str] | None = None,
    ) -> FieldMapping | None:
        """One mapping entry; None when it has a problem (recorded)."""
        problems = self.problems
        problems.check_keys(node, path, (*FIELD_KEYS, *extra_keys), ("target",))
        if "source" not in node and "default" not in node and "template" not in node:
            problems.add(node.position, path, "needs a 'source' (or a 'default' or 'template')")
        before = len(problems.problems)
        target = self.target(
            node, path, relative_to=relative_to, within_item=within_item, item_keys=item_keys
        )
        sources = self._paths(node, "source", path)
        transforms = self._transforms(node, path, target)
        fields = self._paths(node, "field", path)
        allowed = node.get("allowed")
        if allowed is not None and not isinstance(allowed, list):
            problems.at(node, "allowed", join_path(path, "allowed"), "must be a list of values")
        each = self._each(node, path, target) if "each" in node else None
        values = node.get("values")
        if values is not None and not isinstance(values, dict):
            message = "must be a mapping of value -> replacement, e.g. {gold: premium}"
            problems.at(node, "values", join_path(path, "values"), message)
        template = self._template(node, path)
        if target is None or len(problems.problems) > before:
            return None
        return FieldMapping(
            target=target,
            sources=sources,
            transforms=transforms,
            field=fields,
            default=plain(node.get("default", NO_DEFAULT)),
            item_default=plain(node.get("item_default", NO_DEFAULT)),
            allowed=tuple(plain(allowed)) if isinstance(allowed, list) else None,
            each=each,
            values=plain(values) if isinstance(values, dict) else None,
            template=template,
        )

    def _template(self, node: MarkedDict, path: str) -> str | None:
        if "template" not in node:
            return None
        text = self.problems.text(node, "template", path)
        for name in template_fields(text or ""):
            if name == "value":
                continue
            try:
                parse_path(name)
            except PathSyntaxError as error:
                here = join_path(path, "template")
                self.problems.at(node, "template", here, f"template field {{{name}}}: {error}")
        return text

    def _each(
        self, node: MarkedDict, path: str, target: str | None
    ) -> tuple[FieldMapping, ...] | None:
        here = join_path(path, "each")
        items = self.problems.items(node, "each", here)
        if items is None:
            return None
        if not items:
            self.problems.at(node, "each", here, "must list at least one field")
        item_keys = CONTENT_ITEM_KEYS if target == "custom_data.contents" else None
        mappings: list[FieldMapping] = []
        for index, _ in enumerate(items):
            item = self.problems.mapping(items, index, f"{here}[{index}]")
            if item is None:
                continue
            mapping = self.read(
                item, f"{here}[{index}]", relative_to=None, within_item=True, item_keys=item_keys
            )
            if mapping is not None:
                mappings.append(mapping)
        return tuple(mappings)


def _is_hashed_target(target: str) -> bool:
    parts = target.split(".")
    return len(parts) == 2 and parts[0] == "user_data" and parts[1] in HASHED_KEYS
