"""Multi-row statements come in a few sizes, so the connection's prepared-statement cache
keeps them instead of preparing (and holding) one per row count."""

from __future__ import annotations

import pytest

from pinrelay.store.sqlite import writes
from pinrelay.store.sqlite.writes import _chunks


@pytest.mark.parametrize("count", [0, 1, 2, 3, 37, 200, 5000])
def test_rows_go_out_in_order_in_power_of_two_chunks(count: int) -> None:
    rows = [(n, "x") for n in range(count)]
    chunks = list(_chunks(rows, width=2))
    assert [row for chunk in chunks for row in chunk] == rows
    assert all(len(chunk) & (len(chunk) - 1) == 0 for chunk in chunks)  # each a power of two
    assert len(chunks) <= max(1, count.bit_length())  # 37 rows: 32 + 4 + 1


def test_no_chunk_binds_more_variables_than_sqlite_allows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writes, "MAX_VARIABLES", 100)
    chunks = list(_chunks([(n, n, n) for n in range(250)], width=3))  # at most 33 rows: 32
    assert {len(chunk) for chunk in chunks} <= {32, 16, 8, 4, 2, 1}
    assert sum(len(chunk) for chunk in chunks) == 250
