"""The imports table's named SQL (store/sqlite/imports.sql): every name the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

from pinrelay.store.sql import load_queries

MODULE = Path(__file__).parents[3] / "src/pinrelay/store/sqlite/imports.py"


def test_every_import_query_the_store_uses_is_defined() -> None:
    queries = load_queries("pinrelay.store.sqlite", "imports.sql")
    used = set(re.findall(r'QUERIES\["([a-z_]+)"\]', MODULE.read_text()))

    assert used == {"upsert_import", "select_import", "select_imports"}
    assert used <= set(queries)
