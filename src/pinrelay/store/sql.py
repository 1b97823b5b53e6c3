"""Named SQL: each engine keeps its queries in a `.sql` file, one `-- name: x` header each.

Keeping SQL out of Python strings lets a reader see every query an engine runs in one file,
and lets a test check that every name the code asks for exists.
"""

from __future__ import annotations

import re
from importlib import resources

_HEADER = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


def parse_queries(text: str) -> dict[str, str]:
    """Split a file of `-- name: x` sections into {name: sql}."""
    queries: dict[str, str] = {}
    parts = _HEADER.split(text)
    # parts = [preamble, name1, body1, name2, body2, ...]
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in queries:
            raise ValueError(f"query {name!r} is defined twice")
        queries[name] = body.strip()
    return queries


def load_queries(package: str, filename: str) -> dict[str, str]:
    """Load the named queries shipped as package data."""
    text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    return parse_queries(text)


def load_migrations(package: str) -> list[tuple[int, str, str]]:
    """Ordered (version, name, sql) of the `NNNN_name.sql` files of a migrations package."""
    found: list[tuple[int, str, str]] = []
    for entry in resources.files(package).iterdir():
        match = re.fullmatch(r"(\d{4})_([a-z0-9_]+)\.sql", entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _, _ in found]
    # A gap means a migration is missing from this build: refuse rather than skip it.
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations of {package} must be numbered 1..n without gaps: {versions}")
    return found
