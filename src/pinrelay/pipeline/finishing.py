"""Last steps of every pipeline run: typed fields, safe hashed keys, the identity merge, no
empty values. They run once per pipeline output, after its writers, in this order:

- `shape_event`: the fields whose type the v5 schema fixes get that type, whatever the mapping
  produced (pinterest-capi.md §2.2 / §2.5 and DESIGN.md): `value`, `item_price`,
  `predicted_ltv` are decimal strings; `event_time`, `num_items`, `quantity` integers; ids
  strings. The seed pipeline maps `properties.revenue` (a number in Segment) straight to
  `value`, and its output must still send a string. A value that cannot take its type is
  dropped with a note.
- `finish_user_data`: pinterest-capi.md §2.4: hashed `user_data` keys are arrays of lowercase
  SHA-256 hex. Any other value a pipeline put there (a raw email from a mapping without
  `normalised_sha256`) is normalised and hashed here, so raw PII never reaches Pinterest
  whatever the YAML says. Unless a pipeline says `identity: none`, the match keys of the
  message and those stored for the user are merged in (union, the pipeline's own values first).
- `without_empty`: Pinterest rejects empty values where the type is wrong and clients never
  send empty arrays (§2.4): empty strings, arrays, objects and nulls are removed, at every depth.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pinrelay.identity.hashing import HASHED_KEYS, is_sha256_hex, normalise_and_hash
from pinrelay.identity.matchkeys import match_keys_of, merge_match_keys
from pinrelay.pipeline.transforms import TransformError, decimal_string, to_int, to_string

Shape = Callable[[Any], Any]


def string_list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [to_string(item) for item in items]


EVENT_SHAPES: dict[str, Shape] = {"event_time": to_int, "event_id": to_string}
CUSTOM_DATA_SHAPES: dict[str, Shape] = {
    "value": decimal_string,
    "predicted_ltv": decimal_string,
    "num_items": to_int,
    "order_id": to_string,
    "content_ids": string_list,
}
CONTENT_ITEM_SHAPES: dict[str, Shape] = {
    "id": to_string,
    "item_price": decimal_string,
    "quantity": to_int,
}


def _shape_fields(
    holder: dict[str, Any], shapes: dict[str, Shape], label: str, notes: list[str]
) -> None:
    for key, shape in shapes.items():
        if key not in holder or holder[key] is None:
            continue
        try:
            holder[key] = shape(holder[key])
        except TransformError as failure:
            notes.append(f"{label}{key}: {failure.reason}; field dropped")
            del holder[key]


def shape_event(event: dict[str, Any], notes: list[str]) -> None:
    """Coerce the typed fields of `event` in place."""
    _shape_fields(event, EVENT_SHAPES, "", notes)
    custom_data = event.get("custom_data")
    if not isinstance(custom_data, dict):
        return
    _shape_fields(custom_data, CUSTOM_DATA_SHAPES, "custom_data.", notes)
    contents = custom_data.get("contents")
    if isinstance(contents, list):
        for item in contents:
            if isinstance(item, dict):
                _shape_fields(item, CONTENT_ITEM_SHAPES, "custom_data.contents[].", notes)


def _as_hashes(key: str, value: Any, notes: list[str]) -> list[str]:
    values = value if isinstance(value, list) else [value]
    hashes = []
    for item in values:
        if is_sha256_hex(item):
            hashes.append(item.lower())
            continue
        hashed = normalise_and_hash(key, item)
        if hashed is None:
            notes.append(f"user_data.{key}: a value cannot be normalised as {key}; dropped")
        else:
            notes.append(f"user_data.{key}: a raw value was normalised and hashed")
            hashes.append(hashed)
    return hashes


def _stored_hashes(identity_keys: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    return {
        key: [value.lower() for value in values if is_sha256_hex(value)]
        for key, values in identity_keys.items()
        if key in HASHED_KEYS and not isinstance(values, str)
    }


def finish_user_data(
    event: dict[str, Any],
    *,
    message: Mapping[str, Any] | None,
    identity_keys: Mapping[str, Sequence[str]],
    notes: list[str],
    message_keys: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Make hashed keys arrays of hex; merge the message's and stored keys unless `message`
    is None (the pipeline opted out with `identity: none`)."""
    user_data = event.get("user_data")
    if not isinstance(user_data, dict):
        user_data = {}
    own = {
        key: _as_hashes(key, value, notes) for key, value in user_data.items() if key in HASHED_KEYS
    }
    if message is not None:
        from_message = match_keys_of(message) if message_keys is None else message_keys
        merged = merge_match_keys(own, from_message, _stored_hashes(identity_keys))
    else:
        merged = merge_match_keys(own)
    for key in [key for key in own if key not in merged]:
        del user_data[key]
    user_data.update(merged)
    event["user_data"] = user_data


def without_empty(value: Any) -> Any:
    """A copy of `value` without nulls, empty strings, arrays or objects (0 and false stay).

    One pass per container (this runs on every event): a child container is cleaned first
    and dropped if nothing is left of it."""
    if isinstance(value, dict):
        kept: dict[Any, Any] = {}
        for key, item in value.items():
            if item is None:
                continue
            if isinstance(item, _CONTAINERS):
                if isinstance(item, _NESTED):
                    item = without_empty(item)
                if not item:
                    continue
            kept[key] = item
        return kept
    if isinstance(value, list):
        items = (without_empty(i) if isinstance(i, _NESTED) else i for i in value)
        return [item for item in items if _keep(item)]
    return value


_NESTED = (dict, list)
_CONTAINERS = (str, list, dict)  # empty ones are dropped


def _keep(value: Any) -> bool:
    return value is not None and not (isinstance(value, _CONTAINERS) and not value)
