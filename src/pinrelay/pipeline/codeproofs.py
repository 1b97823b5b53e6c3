"""When generated code may skip `shape_event` and `without_empty` (see `pipeline.codegen`).

The reference runs both finishing steps on every event. Most events need neither: the presets'
transforms already give `event_time` an int and `value` a decimal string, and no field of theirs
can be empty. So each write in generated code tests what it wrote, and only when a test fails
does the event go through the reference step:

- `shape = True` when a written value might change under `finishing.shape_event` (or a write
  might put a container where a shaped field lives); the test of a value is exactly "its
  shaping returns it unchanged, without a note", so skipping the step changes nothing;
- `clean = False` when a written value might lose anything to `finishing.without_empty`, or
  is a container the event does not own (a list of the message itself): an event that stays
  clean is returned as built, since `without_empty` would return an equal copy.

A test is either decided when the pipeline is compiled (statics, defaults, transforms whose
results are always clean) or is a short expression on the value (`v.__class__ is not str`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pinrelay.identity.hashing import HASHED_KEYS
from pinrelay.pipeline.finishing import (
    CONTENT_ITEM_SHAPES,
    CUSTOM_DATA_SHAPES,
    EVENT_SHAPES,
    Shape,
    string_list,
)
from pinrelay.pipeline.transforms import (
    ELEMENTWISE,
    MAX_DECIMAL_EXPONENT,
    TransformError,
    decimal_string,
    to_int,
    to_string,
)

Parts = tuple[str, ...]

CONTENTS: Parts = ("custom_data", "contents")
SHAPED: dict[Parts, Shape] = {
    **{(key,): shape for key, shape in EVENT_SHAPES.items()},
    **{("custom_data", key): shape for key, shape in CUSTOM_DATA_SHAPES.items()},
}
PREFIX = "prefix"  # a write at a container of shaped fields, or inside a shaped field
_SHAPED_PLACES = (*SHAPED, CONTENTS)

# to_int takes an int unchanged below this (a larger one is refused as out of range)
INT_LIMIT = 10 ** (MAX_DECIMAL_EXPONENT + 1)
# Transforms whose result is never changed by without_empty and is owned by the event.
_ALWAYS_CLEAN = frozenset(
    ("to_int", "unix_seconds", "decimal_string", "currency_code", "normalised_sha256")
) | {"sum", "count", "whole_items", "line_total", "template"}
_TEXT = frozenset(("to_string", "lowercase", "uppercase", "trim"))  # str or a list of str
_STR_MAKERS = _TEXT | {"decimal_string", "currency_code"}


@dataclass(frozen=True, slots=True)
class Made:
    """What the generator knows of how a value was made."""

    transforms: tuple[str, ...] = ()
    each: bool = False  # built by an inlined `each` (its items are tested where written)
    opaque: bool = False  # made by a closure of pipeline.compiler, default included


@dataclass(frozen=True, slots=True)
class Rules:
    """The tests a write at one target needs."""

    shape: Shape | str | None = None  # the shaping of the target, PREFIX, "contents" or None
    clean: bool = True  # False where finish_user_data replaces the value anyway


def target_rules(parts: Parts) -> Rules:
    """The rules of a target of the event (not inside `each`)."""
    hashed = len(parts) == 2 and parts[0] == "user_data" and parts[1] in HASHED_KEYS
    return Rules(_shape_rule(parts), clean=not hashed)


def item_rules(parts: Parts, *, in_contents: bool) -> Rules:
    """The rules of a target inside one item of `each`."""
    if not in_contents:
        return Rules()
    if len(parts) == 1 and parts[0] in CONTENT_ITEM_SHAPES:
        return Rules(CONTENT_ITEM_SHAPES[parts[0]])
    return Rules(PREFIX if parts[0] in CONTENT_ITEM_SHAPES else None)


def _shape_rule(parts: Parts) -> Shape | str | None:
    if parts in SHAPED:
        return SHAPED[parts]
    if parts == CONTENTS:
        return "contents"
    for place in _SHAPED_PLACES:
        shorter, longer = sorted((place, parts), key=len)
        if longer[: len(shorter)] == shorter:
            return PREFIX
    return None


def unshaped_if(rules: Rules, var: str, made: Made) -> str | None:
    """A condition on `var` that holds when the value may need `shape_event` ("True" when
    it always may), or None when it never does."""
    shape = rules.shape
    if shape is None:
        return None
    if shape == "contents":
        return None if made.each and not made.transforms else "True"
    if shape is to_string:
        return f"{var}.__class__ is not str"
    if shape is to_int:
        return f"{var}.__class__ is not int or not -_INT_LIMIT < {var} < _INT_LIMIT"
    last = made.transforms[-2:]
    if shape is decimal_string and last[-1:] == ("decimal_string",):
        return f"{var}.__class__ is not str"  # decimal_string gives what it takes unchanged
    if shape is string_list and (last[-1:] == ("pluck",) or _text_list(last)):
        return None  # a list of str: string_list gives an equal list
    return "True"


def unclean_if(rules: Rules, var: str, made: Made) -> str | None:
    """A condition on `var` that holds when `without_empty` might change the value (or the
    event does not own it), or None when it never does."""
    if not rules.clean:
        return None
    if made.opaque or not made.transforms:
        if made.each and not made.opaque:
            return None  # fresh items, each value tested where it was written
        # a non-empty scalar (a closure may answer its default, which may be "")
        empty = f" or {var} == ''" if made.opaque else ""
        return f"{var}.__class__ not in _SC{empty}"
    last = made.transforms[-1]
    if last in _ALWAYS_CLEAN:
        return None
    if last in _TEXT:
        return f"{var}.__class__ is not str and not all({var})"
    before = made.transforms[-2] if len(made.transforms) > 1 else None
    if last == "pluck" or (last == "as_list" and before in ELEMENTWISE):
        return f"not all({var})"  # a fresh list of str (or of numbers, zeros counted unclean)
    return f"{var}.__class__ not in _SC"


def _text_list(last: tuple[str, ...]) -> bool:
    return len(last) == 2 and last[0] in _STR_MAKERS and last[1] == "as_list"


def keeps_shape(rules: Rules, value: Any) -> bool:
    """Whether a constant written at a target of these rules needs no `shape_event`."""
    shape = rules.shape
    if shape is None:
        return True
    if not callable(shape):
        return False
    return _unchanged(shape, value)


def _unchanged(shape: Callable[[Any], Any], value: Any) -> bool:
    if value is None:
        return True  # shape_event skips nulls
    try:
        shaped = shape(value)
    except TransformError:
        return False
    return type(shaped) is type(value) and bool(shaped == value)


def is_clean(value: Any) -> bool:
    """Whether `without_empty` returns a constant unchanged."""
    if value is None:
        return False
    if isinstance(value, dict):
        return bool(value) and all(is_clean(item) for item in value.values())
    if isinstance(value, list):
        return bool(value) and all(is_clean(item) for item in value)
    if isinstance(value, str):
        return bool(value)
    return True


def hashes_are_clean(user_data: dict[str, Any]) -> bool:
    """Whether the lists `finish_user_data` put in `user_data` hold only non-empty strings
    (the stored and message keys come from the caller); the other values were tested when
    they were written."""
    for value in user_data.values():
        if value.__class__ is list:
            for item in value:
                if item.__class__ is not str or not item:
                    return False
    return True
