"""Give the fields whose type the v5 schema fixes that type, whatever the mapping produced.

pinterest-capi.md §2.2 / §2.5 and DESIGN.md: `value`, `item_price`, `predicted_ltv` are
decimal strings; `event_time`, `num_items`, `quantity` integers; ids strings. The seed
pipeline maps `properties.revenue` straight to `value` (a number in Segment) and its output
format `pinterest_conversions_api` must still send a string: shaping happens here, once, for
every pipeline. A value that cannot take its type is dropped with a note.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pinrelay.pipeline.transforms import TransformError, decimal_string, to_int, to_string

Shape = Callable[[Any], Any]


def _string_list(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [to_string(item) for item in items]


_EVENT_SHAPES: dict[str, Shape] = {"event_time": to_int, "event_id": to_string}
_CUSTOM_DATA_SHAPES: dict[str, Shape] = {
    "value": decimal_string,
    "predicted_ltv": decimal_string,
    "num_items": to_int,
    "order_id": to_string,
    "content_ids": _string_list,
}
_CONTENT_ITEM_SHAPES: dict[str, Shape] = {
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
    _shape_fields(event, _EVENT_SHAPES, "", notes)
    custom_data = event.get("custom_data")
    if not isinstance(custom_data, dict):
        return
    _shape_fields(custom_data, _CUSTOM_DATA_SHAPES, "custom_data.", notes)
    contents = custom_data.get("contents")
    if isinstance(contents, list):
        for item in contents:
            if isinstance(item, dict):
                _shape_fields(item, _CONTENT_ITEM_SHAPES, "custom_data.contents[].", notes)
