"""Regular expressions of pipelines (`matches`), run by RE2: linear time, whatever the input.

A pipeline's pattern is written by a user and runs on every event against values a sender
chose; Python's backtracking engine would let `^([A-Z0-9]+)+$` against a 26-character value
freeze the whole process for seconds (issue 13). RE2 (google-re2 from PyPI) guarantees time
linear in the input. It refuses the few constructs that need backtracking (backreferences
such as `\\1`, lookarounds such as `(?=...)`); the pipeline check says so with the pattern's
position, before the pipeline is used.
"""

from __future__ import annotations

import re
from typing import Protocol

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the error is raised to us; RE2 need not print it to stderr


class Pattern(Protocol):
    def search(self, text: str) -> object | None: ...


def compile_pattern(pattern: str) -> Pattern:
    """The compiled pattern; raises ValueError saying why RE2 refuses it."""
    try:
        compiled: Pattern = re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        try:  # a plain syntax error reads best in the words people know (Python's)
            re.compile(pattern)
        except re.error as syntax:
            raise ValueError(str(syntax)) from None
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(
            f"{reason}; patterns run in linear time (RE2 syntax), so backreferences and "
            "lookarounds are not available"
        ) from None
    return compiled


def pattern_problem(pattern: object) -> str | None:
    """Why `pattern` cannot be a `matches` value, or None."""
    if not isinstance(pattern, str):
        return "the pattern must be a string"
    try:
        compile_pattern(pattern)
    except ValueError as exc:
        return str(exc)
    return None
