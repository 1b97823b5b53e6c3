"""Birthdays in the forms people and SDKs write them, as the `YYYYMMDD` Pinterest hashes.

pinterest-capi.md §3: `db` is SHA-256 of `YYYYMMDD`. Accepted forms (the calendar date as
written, never shifted by a time zone):

- ISO date `1997-12-26` and ISO basic `19971226`;
- ISO date-time `1997-12-26T00:00:00.000Z` (what analytics.js sends for a `Date` trait);
- year first with slashes or dots `1997/12/26`, `1997.12.26`;
- English month names `26 December 1997`, `Dec 26, 1997`, `26-Dec-1997`;
- day and month as numbers (`26/12/1997`, `12/26/1997`) only when the order is certain (one
  of them is above 12, or both are equal): `01/02/1997` is dropped rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_ISO_DATE = re.compile(r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})")
_YEAR_FIRST = re.compile(r"([0-9]{4})[/.]([0-9]{1,2})[/.]([0-9]{1,2})")
_YEAR_LAST = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")
_WORDS = re.compile(r"[a-z]+|[0-9]+")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
MAX_DATE_CHARS = 40


def _yyyymmdd(year: int, month: int, day: int) -> str | None:
    try:
        date(year, month, day)
    except ValueError:
        return None
    return f"{year:04d}{month:02d}{day:02d}"


def _iso(text: str) -> str | None:
    match = _ISO_DATE.match(text)
    if match is None:
        return None
    rest = text[match.end() :]
    if rest:
        if rest[0] not in "T ":
            return None
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    year, month, day = (int(part) for part in match.groups())
    return _yyyymmdd(year, month, day)


def _numeric(text: str) -> str | None:
    year_first = _YEAR_FIRST.fullmatch(text)
    if year_first is not None:
        year, month, day = (int(part) for part in year_first.groups())
        return _yyyymmdd(year, month, day)
    year_last = _YEAR_LAST.fullmatch(text)
    if year_last is None:
        return None
    first, second, year = (int(part) for part in year_last.groups())
    if first > 12 >= second or first == second:
        return _yyyymmdd(year, second, first)  # day first
    if second > 12 >= first:
        return _yyyymmdd(year, first, second)  # month first (US)
    return None  # both orders possible: guessing would hash a wrong date


def _named_month(text: str) -> str | None:
    words = _WORDS.findall(text.lower())
    months = [_MONTHS[word] for word in words if word in _MONTHS]
    numbers = [word for word in words if word.isdigit()]
    others = [word for word in words if not word.isdigit() and word not in _MONTHS]
    if len(months) != 1 or len(numbers) != 2 or others:
        return None
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if len(years) != 1 or len(days) != 1:
        return None
    return _yyyymmdd(int(years[0]), months[0], int(days[0]))


def normalise_birthday(raw: str) -> str | None:
    """`YYYYMMDD` from any of the forms in the module docstring, else None."""
    text = raw.strip()
    if not text or len(text) > MAX_DATE_CHARS:
        return None
    return _iso(text) or _numeric(text) or _named_month(text)
