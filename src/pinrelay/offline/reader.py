"""Rows of an export file: CSV (any delimiter, header row, with or without a BOM) or JSONL,
either of them gzipped.

The reader streams: one row in memory at a time, whatever the file's size. Column names are
trimmed and lowercased once (for CSV, from the header), so mappings match "Email", "email "
and "EMAIL" alike. A row the reader cannot use (wrong number of cells, a JSONL line that is
not an object) is still yielded, with the problem, so the import can count and report it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, cast

from pinrelay.errors import ImportFileError

GZIP_MAGIC = b"\x1f\x8b"
CSV_DELIMITERS = ",;\t|"
MAX_CELL_CHARS = 64 * 1024  # a cell larger than this is a broken file, not an order

csv.field_size_limit(MAX_CELL_CHARS)


@dataclass(frozen=True)
class Row:
    """One data row: its 1-based number (the header is not counted) and its cells."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None  # why the row is unusable as read


def column_key(name: str) -> str:
    """How a column is named in rows and mappings: trimmed, lowercase."""
    return name.strip().lower()


def guess_delimiter(header: str) -> str:
    """The candidate delimiter the header line uses most (a one-column file: a comma)."""
    counts = {d: header.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class RowReader:
    """Iterates the rows of a binary stream; `bytes_read` says how far it got (for progress)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        buffered = raw if isinstance(raw, io.BufferedReader) else io.BufferedReader(cast(Any, raw))
        binary: IO[bytes] = buffered
        if buffered.peek(2)[:2] == GZIP_MAGIC:
            binary = cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb"))
        self._text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
        self.format = "csv"
        self.delimiter = ","

    def close(self) -> None:
        """Let go of the stream without closing it (it is the caller's, maybe stdin)."""
        try:
            binary = self._text.detach()
        except ValueError:  # already let go
            return
        if isinstance(binary, gzip.GzipFile):
            binary.close()  # closes the decompressor only, not the file under it

    @property
    def bytes_read(self) -> int:
        """Bytes of the file (compressed, for gzip) consumed so far; approximate by a buffer."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def rows(self) -> Iterator[Row]:
        try:
            first = self._first_line()
            if first is None:
                return
            if first.lstrip().startswith("{"):
                self.format = "jsonl"
                yield from self._jsonl(first)
            else:
                yield from self._csv(first)
        except UnicodeDecodeError:
            raise ImportFileError(
                "the file is not UTF-8 text: save or export it as UTF-8 (CSV UTF-8 in Excel)"
            ) from None
        except (EOFError, gzip.BadGzipFile, OSError) as exc:
            raise ImportFileError(f"the gzip file is damaged or cut short ({exc})") from None

    def _first_line(self) -> str | None:
        for line in self._text:
            if line.strip():
                return line
        return None

    def _csv(self, header_line: str) -> Iterator[Row]:
        self.delimiter = guess_delimiter(header_line)
        lines = _chain(header_line, self._text)
        reader = csv.reader(lines, delimiter=self.delimiter)
        try:
            header = [column_key(name) for name in next(reader)]
        except csv.Error as exc:
            raise ImportFileError(f"the header row cannot be read as CSV: {exc}") from None
        if len(set(header)) != len(header):
            twice = sorted({n for n in header if header.count(n) > 1})
            raise ImportFileError(f"the header names a column twice: {', '.join(twice)}")
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                number += 1
                yield Row(number, problem=f"not readable as CSV: {exc}")
                continue
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # blank line
            number += 1
            if len(cells) != len(header):
                yield Row(
                    number,
                    problem=f"{len(cells)} cells where the header has {len(header)} columns",
                )
                continue
            yield Row(number, dict(zip(header, cells, strict=True)))

    def _jsonl(self, first: str) -> Iterator[Row]:
        number = 0
        for line in _chain(first, self._text):
            if not line.strip():
                continue
            number += 1
            try:
                value = json.loads(line)
            except ValueError as exc:
                yield Row(number, problem=f"not a JSON line: {exc}")
                continue
            if not isinstance(value, dict):
                yield Row(number, problem=f"expected a JSON object, got {type(value).__name__}")
                continue
            yield Row(number, {column_key(str(k)): v for k, v in value.items()})


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    # not `yield from`: closing this generator must not close the caller's file
    for line in rest:  # noqa: UP028
        yield line
