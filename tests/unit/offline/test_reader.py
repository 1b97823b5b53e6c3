"""Reading exports: any delimiter, with or without a BOM, JSONL, gzip, and broken rows."""

from __future__ import annotations

import gzip
import io

import pytest

from pinrelay.errors import ImportFileError
from pinrelay.offline.reader import Row, RowReader, guess_delimiter


def rows_of(data: bytes) -> list[Row]:
    return list(RowReader(io.BytesIO(data)).rows())


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_columns_are_found_whatever_the_delimiter(delimiter: str) -> None:
    text = delimiter.join(["Email", "Order ID", "Value"]) + "\n"
    text += delimiter.join(["a@example.com", "1001", "9.99"]) + "\n"

    rows = rows_of(text.encode())

    assert rows == [Row(1, {"email": "a@example.com", "order id": "1001", "value": "9.99"})]


def test_a_utf8_bom_does_not_leak_into_the_first_column_name() -> None:
    rows = rows_of("\ufeffEmail,Value\r\nb@example.com,1\r\n".encode())

    assert rows[0].values == {"email": "b@example.com", "value": "1"}


def test_quoted_cells_keep_their_delimiters_and_line_breaks() -> None:
    rows = rows_of(b'name,note\n"Doe, Jane","two\nlines"\n')

    assert rows[0].values == {"name": "Doe, Jane", "note": "two\nlines"}


def test_gzip_is_recognised_by_its_bytes_not_its_name() -> None:
    rows = rows_of(gzip.compress(b"email,value\nc@example.com,2\n"))

    assert rows[0].values == {"email": "c@example.com", "value": "2"}


def test_jsonl_lines_become_rows_and_blank_lines_are_skipped() -> None:
    data = b'{"Email": "d@example.com", "value": 3}\n\n{"email": "e@example.com"}\n'

    rows = rows_of(data)

    assert [r.values for r in rows] == [
        {"email": "d@example.com", "value": 3},
        {"email": "e@example.com"},
    ]
    assert [r.number for r in rows] == [1, 2]


def test_a_broken_row_is_reported_with_its_number_and_the_next_rows_still_read() -> None:
    rows = rows_of(b"email,value\na@example.com\nb@example.com,2\n")

    assert rows[0] == Row(1, problem="1 cells where the header has 2 columns")
    assert rows[1].values == {"email": "b@example.com", "value": "2"}


def test_a_jsonl_line_that_is_not_an_object_is_a_bad_row() -> None:
    rows = rows_of(b'{"email": "a@example.com"}\n{not json\n')

    assert rows[1].number == 2
    assert rows[1].problem is not None
    assert rows[1].problem.startswith("not a JSON line")


def test_a_file_that_is_not_utf8_says_how_to_fix_it() -> None:
    with pytest.raises(ImportFileError, match="not UTF-8"):
        rows_of("email,name\na@example.com,Jos\xe9\n".encode("latin-1"))


def test_a_header_naming_a_column_twice_is_refused() -> None:
    with pytest.raises(ImportFileError, match="twice: email"):
        rows_of(b"Email,email\na,b\n")


def test_an_empty_file_has_no_rows() -> None:
    assert rows_of(b"") == []


def test_a_one_column_file_uses_a_comma() -> None:
    assert guess_delimiter("email\n") == ","
