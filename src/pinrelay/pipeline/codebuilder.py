"""Generated Python source that keeps user input as data (used by `pipeline.codegen`).

Pipeline YAML is user input (the admin API, a directory of files), and generated code is
executed, so this is the one place that decides what text goes into the source:

- identifiers come only from counters (`_c3`, `x1`), never from a pipeline;
- a constant is either bound in the function's namespace under such a name (`bind`), or
  written as `repr()` of a value whose type is exactly `str`, `int`, `bool` or None
  (`literal`): the repr of those types is always one complete literal on one line;
- everything else in a line is text written here or in `pipeline.codegen`/`fieldcode`.
"""

from __future__ import annotations

from typing import Any

# repr() of exactly these types is a valid literal (never `inf`, never a subclass's __repr__)
_LITERAL_TYPES = (str, int, bool, type(None))
_INDENT = "    "


class CodeBuilder:
    """Lines of one generated module and the namespace it runs in."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {}
        self._counts: dict[str, int] = {}
        self._bound: dict[int, str] = {}  # id(value) -> name: one object is bound once

    def _next(self, prefix: str) -> str:
        if not prefix.isidentifier():  # prefixes are written in our code; this keeps it so
            raise ValueError(f"not an identifier prefix: {prefix!r}")
        number = self._counts.get(prefix, 0)
        self._counts[prefix] = number + 1
        return f"{prefix}{number}"

    def bind(self, value: Any, prefix: str = "_c") -> str:
        """A global name that holds `value` when the generated code runs."""
        name = self._bound.get(id(value))
        if name is None or self.namespace.get(name) is not value:
            name = self._next(prefix)
            self.namespace[name] = value
            self._bound[id(value)] = name
        return name

    def literal(self, value: Any) -> str:
        """`value` as source text: a literal for plain str/int/bool/None, else a bound name."""
        if type(value) in _LITERAL_TYPES:
            return repr(value)
        return self.bind(value)

    def local(self, prefix: str) -> str:
        """A fresh local variable name."""
        return self._next(prefix)

    def emit(self, depth: int, text: str) -> None:
        self.lines.append(_INDENT * depth + text)

    def comment(self, depth: int, text: str) -> None:
        """A comment naming a pipeline's field, for whoever reads the generated source."""
        if type(text) is str:
            self.lines.append(f"{_INDENT * depth}# {text!r}")

    def source(self) -> str:
        return "\n".join(self.lines) + "\n"
