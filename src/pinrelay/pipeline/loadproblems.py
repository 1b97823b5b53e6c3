"""Problems found in pipeline files, and the checks that find them.

All problems of a load are collected and raised together as one `PipelineLoadError`, each
reading `file:line:col: path: message`, e.g.
`checkout.yaml:14:7: transform.mapping[2].transform: unknown transform 'unix_second'; did
you mean 'unix_seconds'?`
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from pinrelay.errors import PipelineError
from pinrelay.pipeline.yamlmarks import START, MarkedDict, MarkedList, Position


@dataclass(frozen=True, slots=True)
class PipelineProblem:
    file: str
    line: int
    column: int
    path: str  # where in the pipeline, e.g. "transform.mapping[2].transform"
    message: str

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.file}:{self.line}:{self.column}: {where}{self.message}"


class PipelineLoadError(PipelineError):
    """One or more pipeline files are invalid; `problems` lists every one found."""

    def __init__(self, problems: Iterable[PipelineProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ "; did you mean 'x'?" for the closest choice, or "" when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def join_path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


def value_position(container: Any, key: str | int) -> Position:
    """Where the value under `key` (or item `key`) of a marked container was written."""
    if isinstance(container, MarkedDict) and key in container.value_positions:
        return container.value_positions[key]
    if isinstance(container, MarkedList) and isinstance(key, int):
        return container.item_positions[key]
    return getattr(container, "position", START)


class ProblemCollector:
    """Records problems for one file; the reading code checks and carries on."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[PipelineProblem] = []

    def add(self, position: Position, path: str, message: str) -> None:
        self.problems.append(
            PipelineProblem(self.file, position.line, position.column, path, message)
        )

    def in_file_order(self) -> list[PipelineProblem]:
        return sorted(self.problems, key=lambda problem: (problem.line, problem.column))

    def at(self, container: Any, key: str | int, path: str, message: str) -> None:
        """A problem with the value under `key` of `container` (path is the value's)."""
        self.add(value_position(container, key), path, message)

    def check_keys(
        self,
        node: MarkedDict,
        path: str,
        allowed: Collection[str],
        required: Collection[str] = (),
    ) -> None:
        """Unknown keys (with a suggestion) and missing required keys of a mapping."""
        for key in node:
            if key not in allowed:
                position = node.key_positions.get(key, node.position)
                hint = did_you_mean(str(key), allowed)
                self.add(position, join_path(path, str(key)), f"unknown key {key!r}{hint}")
        for key in required:
            if key not in node:
                self.add(node.position, path, f"missing required key {key!r}")

    def mapping(self, container: Any, key: str | int, path: str) -> MarkedDict | None:
        value = container[key]
        if isinstance(value, MarkedDict):
            return value
        self.at(container, key, path, f"must be a mapping, not {_kind(value)}")
        return None

    def items(self, container: Any, key: str | int, path: str) -> MarkedList | None:
        value = container[key]
        if isinstance(value, MarkedList):
            return value
        self.at(container, key, path, f"must be a list, not {_kind(value)}")
        return None

    def text(self, node: MarkedDict, key: str, path: str) -> str | None:
        """A non-empty string under `key`, or None (with a problem if present but wrong)."""
        if key not in node:
            return None
        value = node[key]
        if isinstance(value, str) and value.strip():
            return value
        self.at(node, key, join_path(path, key), f"must be a non-empty string, not {_kind(value)}")
        return None

    def texts(self, node: MarkedDict, key: str, path: str) -> tuple[str, ...] | None:
        """One string or a list of strings under `key`, as a tuple."""
        if key not in node:
            return None
        value = node[key]
        if isinstance(value, str) and value.strip():
            return (value,)
        if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
            return tuple(value)
        self.at(node, key, join_path(path, key), "must be a string or a non-empty list of strings")
        return None


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"
