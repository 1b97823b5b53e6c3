"""Named SQL files: parsing, and every name the code asks for exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pinrelay.store.sql import load_migrations, load_queries, parse_queries

SQLITE_STORE = Path(__file__).parents[3] / "src/pinrelay/store/sqlite/store.py"
SQLITE_OUTBOX = SQLITE_STORE.with_name("outbox.py")


def test_sections_are_split_by_name() -> None:
    text = "-- preamble\n-- name: one\nSELECT 1;\n\n-- name: two\nSELECT 2;\n"
    assert parse_queries(text) == {"one": "SELECT 1;", "two": "SELECT 2;"}


def test_a_name_defined_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="twice"):
        parse_queries("-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n")


def test_every_query_the_sqlite_store_uses_is_defined() -> None:
    queries = load_queries("pinrelay.store.sqlite", "queries.sql")
    queries |= load_queries("pinrelay.store.sqlite", "aggregates.sql")  # issue 14's counts
    sources = [path.read_text() for path in SQLITE_STORE.parent.glob("*.py")]
    used = {name for text in sources for name in re.findall(r'Q\["([a-z_]+)"\]', text)}
    assert used, "the store should look its queries up by name"
    assert used <= set(queries)
    by_outbox = set(re.findall(r'queries\["([a-z_]+)"\]', SQLITE_OUTBOX.read_text()))
    assert by_outbox
    assert by_outbox <= set(queries)


def test_migrations_are_numbered_without_gaps() -> None:
    versions = [version for version, _, _ in load_migrations("pinrelay.store.sqlite.migrations")]
    assert versions == list(range(1, len(versions) + 1))
