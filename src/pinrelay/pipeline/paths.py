"""Dotted paths into a Segment message, parsed once and read many times.

Syntax: `context.page.url`, `properties.products[0].price`, `properties.products[]`.
- Each name also matches its camelCase / snake_case twin: the seed pipeline writes
  `message_id` and `user_id` where Segment sends `messageId` and `userId`.
- `[n]` reads item n of an array.
- `[]` stands for every item: at the end of a path it yields the array itself (for per-item
  mappings); in the middle (`products[].price`) it yields the list of what each item has.

A path that does not resolve gives `MISSING`; null values count as missing, so "first
non-null source wins" needs no extra rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pinrelay.errors import PipelineError


class _Missing:
    """Sentinel type for "no value here" (distinct from a JSON null, which counts as missing)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()

_SEGMENT = re.compile(r"(?P<name>[^.\[\]\s]+)?(?P<brackets>(?:\[\d*\])*)")
_BRACKET = re.compile(r"\[(\d*)\]")
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


def to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def to_snake(name: str) -> str:
    return _CAMEL_HUMP.sub(r"_\1", name).lower() if _CAMEL_HUMP.search(name) else name


@dataclass(frozen=True, slots=True)
class Key:
    """Read a mapping key, trying each spelling in turn."""

    spellings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Index:
    position: int


@dataclass(frozen=True, slots=True)
class EachItem:
    """`[]`: every item of an array."""


Step = Key | Index | EachItem


class PathSyntaxError(PipelineError, ValueError):
    """A path string that cannot be parsed; the loader turns it into a pipeline problem."""


def key_step(name: str) -> Key:
    spellings = dict.fromkeys((name, to_camel(name), to_snake(name)))
    return Key(tuple(spellings))


def parse_path(text: str) -> tuple[Step, ...]:
    """Steps of `text`; raises PathSyntaxError with what is wrong."""
    if not text or text != text.strip():
        raise PathSyntaxError("a path must be a non-empty string without surrounding spaces")
    steps: list[Step] = []
    for segment in text.split("."):
        match = _SEGMENT.fullmatch(segment)
        if not segment or match is None or (not match["name"] and not steps):
            raise PathSyntaxError(f"cannot read path segment {segment!r} of {text!r}")
        if match["name"]:
            steps.append(key_step(match["name"]))
        for index in _BRACKET.findall(match["brackets"]):
            steps.append(Index(int(index)) if index else EachItem())
    return tuple(steps)


def _read(value: Any, steps: tuple[Step, ...], start: int) -> Any:
    for position in range(start, len(steps)):
        if value is None:
            return MISSING
        step = steps[position]
        if isinstance(step, Key):
            # dict first: a plain isinstance is far cheaper than the Mapping ABC check
            if not isinstance(value, dict) and not isinstance(value, Mapping):
                return MISSING
            found: Any = MISSING
            for spelling in step.spellings:
                found = value.get(spelling, MISSING)
                if found is not MISSING and found is not None:
                    break
            value = found
            if value is MISSING:
                return MISSING
        elif isinstance(step, Index):
            if not isinstance(value, list) or step.position >= len(value):
                return MISSING
            value = value[step.position]
        else:
            if not isinstance(value, list):
                return MISSING
            if position == len(steps) - 1:
                return value
            items = (_read(item, steps, position + 1) for item in value)
            return [item for item in items if item is not MISSING]
    return MISSING if value is None else value


def _read_keys(value: Any, keys: tuple[tuple[str, ...], ...]) -> Any:
    """`_read` for a path of names only (nearly every path): one loop, no step dispatch.
    A null counts as missing, as in `_read`."""
    for spellings in keys:
        if not isinstance(value, dict) and (value is None or not isinstance(value, Mapping)):
            return MISSING
        found = None
        for spelling in spellings:
            found = value.get(spelling)
            if found is not None:
                break
        if found is None:
            return MISSING
        value = found
    return value


@dataclass(frozen=True, slots=True)
class Path:
    """A parsed path; `read` is what runs per event."""

    text: str
    steps: tuple[Step, ...]

    @classmethod
    def parse(cls, text: str) -> Path:
        return cls(text, parse_path(text))

    @property
    def names_only(self) -> tuple[tuple[str, ...], ...] | None:
        """The spellings of each step when every step is a name (the fast path), else None."""
        if all(isinstance(step, Key) for step in self.steps):
            return tuple(step.spellings for step in self.steps if isinstance(step, Key))
        return None

    def read(self, message: Any) -> Any:
        """The value at this path, or MISSING."""
        return _read(message, self.steps, 0)

    def reader(self) -> Callable[[Any], Any]:
        """`read` specialised for this path, for the per-event hot path (compiled mappings)."""
        keys = self.names_only
        if keys is None:
            return self.read
        return lambda message: _read_keys(message, keys)
