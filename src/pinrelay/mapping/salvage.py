"""One bad field costs that field, not the conversion.

A value Pinterest's schema refuses in an optional field (a product `category` sent as an
array, a quantity past int64, an unknown key in `custom_data`) would make Pinterest reject the
whole request (pinterest-capi.md §2.6), so such an event used to be marked invalid and never
sent. Here the offending optional field is removed instead, with a note naming it, and the
event is checked again. Required fields and `user_data` are never touched: an event whose
`event_time` or identity is wrong stays invalid or unmatchable, as it must.
"""

from __future__ import annotations

import re
from typing import Any

from pinrelay.pinterest.problems import ProblemKind
from pinrelay.pinterest.validation import check_event

# Optional parts of an event whose bad values can be dropped one by one
SALVAGEABLE_ROOTS = frozenset(
    {
        "custom_data", "app_info", "device_info", "event_source_url", "opt_out",
        "partner_name", "language", "wifi", "app_id", "app_name", "app_version",
        "device_brand", "device_carrier", "device_model", "device_type", "os_version",
    }
)  # fmt: skip
SALVAGE_KINDS = frozenset({ProblemKind.SCHEMA, ProblemKind.DECIMAL_STRING})
MAX_ROUNDS = 20  # each round drops at least one field; an event has few optional fields
_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _path(path: str) -> list[str | int]:
    return [name if name else int(index) for name, index in _SEGMENT.findall(path)]


def _drop(event: dict[str, Any], path: list[str | int]) -> bool:
    """Remove the value at `path`; an object or list left empty by it goes too."""
    holder: Any = event
    parents: list[tuple[Any, str | int]] = []
    for segment in path[:-1]:
        parents.append((holder, segment))
        try:
            holder = holder[segment]
        except (KeyError, IndexError, TypeError):
            return False
    last = path[-1]
    in_object = isinstance(holder, dict) and isinstance(last, str) and last in holder
    in_list = isinstance(holder, list) and isinstance(last, int) and last < len(holder)
    if not (in_object or in_list):
        return False
    del holder[last]
    while parents and holder in ({}, []):
        parent, key = parents.pop()
        del parent[key]
        holder = parent
    return True


def salvage_fields(event: dict[str, Any]) -> list[str]:
    """Drop every optional field Pinterest would refuse, in place; notes of what went."""
    notes: list[str] = []
    for _ in range(MAX_ROUNDS):
        dropped = False
        for problem in check_event(event):
            path = _path(problem.path)
            if problem.kind not in SALVAGE_KINDS or not path or path[0] not in SALVAGEABLE_ROOTS:
                continue
            if _drop(event, path):
                notes.append(f"{problem.path}: left out, {problem.detail}")
                dropped = True
                break  # paths after a removed list item have moved: check again
        if not dropped:
            break
    return notes
