"""`yaml.safe_load` that remembers where each key and item was written.

Pipeline errors must point at the line and column to fix (STYLE.md: error messages name the
offending key). A SafeLoader subclass builds `MarkedDict` / `MarkedList`, plain dict and list
subclasses that carry the 1-based position of every key, value and item. Duplicate keys,
which plain `safe_load` silently collapses, are reported.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import yaml

from pinrelay.errors import PipelineError


@dataclass(frozen=True, slots=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based

    @classmethod
    def of(cls, mark: yaml.Mark) -> Position:
        return cls(mark.line + 1, mark.column + 1)


START = Position(1, 1)


class MarkedDict(dict[Any, Any]):
    """A YAML mapping with the position of itself, of each key and of each value."""

    position: Position = START

    def __init__(self) -> None:
        super().__init__()
        self.key_positions: dict[Any, Position] = {}
        self.value_positions: dict[Any, Position] = {}


class MarkedList(list[Any]):
    """A YAML sequence with the position of itself and of each item."""

    position: Position = START

    def __init__(self) -> None:
        super().__init__()
        self.item_positions: list[Position] = []


def plain(value: Any) -> Any:
    """`value` with marked containers turned into plain dicts and lists, for values that
    leave the loader (static values, defaults) and end up in events."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    key: str
    position: Position


class MarkedLoader(yaml.SafeLoader):
    """SafeLoader building marked containers; collects duplicate keys in `duplicates`."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[DuplicateKey] = []


def _construct_mapping(loader: MarkedLoader, node: yaml.MappingNode) -> MarkedDict:
    loader.flatten_mapping(node)  # resolves `<<: *anchor` merge keys as safe_load does
    result = MarkedDict()
    result.position = Position.of(node.start_mark)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            )
        if key in result:
            loader.duplicates.append(DuplicateKey(str(key), Position.of(key_node.start_mark)))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_positions[key] = Position.of(key_node.start_mark)
        result.value_positions[key] = Position.of(value_node.start_mark)
    return result


def _construct_sequence(loader: MarkedLoader, node: yaml.SequenceNode) -> MarkedList:
    result = MarkedList()
    result.position = Position.of(node.start_mark)
    for item_node in node.value:
        result.append(loader.construct_object(item_node, deep=True))
        result.item_positions.append(Position.of(item_node.start_mark))
    return result


MarkedLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
MarkedLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def load_marked_documents(text: str) -> tuple[list[Any], list[DuplicateKey]]:
    """Every YAML document in `text`, marked, and the duplicate keys seen.

    Raises YamlSyntaxError where the text is not YAML.
    """
    loader = MarkedLoader(text)
    try:
        documents: list[Any] = []
        while loader.check_data():  # type: ignore[no-untyped-call]  # untyped in types-PyYAML
            documents.append(loader.get_data())
        return documents, loader.duplicates
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position.of(mark) if mark is not None else START
        raise YamlSyntaxError(str(error.problem or error), position) from error
    except yaml.YAMLError as error:
        raise YamlSyntaxError(str(error), START) from error
    finally:
        loader.dispose()


class YamlSyntaxError(PipelineError, ValueError):
    """The text is not YAML; carries where the parser stopped."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
