"""Dates as exports write them, to an aware datetime.

Shopify writes "2026-11-30 14:05:09 -0500" (with its offset), WooCommerce "2026-11-30 14:05:09"
(the shop's local time, no offset), sheets ISO 8601 or unix seconds. A time without an offset
is read in the import's time zone (UTC unless told). Slash dates such as 03/04/2026 are
refused unless a format is given: month-first and day-first exports both exist, and a silent
guess would shift sales by months.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pinrelay.errors import ImportFileError, PinrelayError

# Tried in order after ISO 8601 (which covers WooCommerce's and most sheets' formats).
KNOWN_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",  # Shopify orders export
    "%Y-%m-%d %H:%M %z",
    "%d.%m.%Y %H:%M:%S",  # European sheets: the dotted form is always day-first
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)
UNIX_MILLISECONDS_DIGITS = 13


class DateProblem(PinrelayError, ValueError):
    """A cell is not a date this import can read; the message says what to pass."""


def time_zone(name: str | None) -> tzinfo:
    """The zone named (IANA, e.g. America/New_York), UTC when None."""
    if not name or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFileError(
            f"time zone {name!r} is unknown: use an IANA name such as America/New_York"
        ) from None


def parse_time(value: object, *, zone: tzinfo, time_format: str | None = None) -> datetime:
    """An aware datetime from a cell; raise DateProblem saying what was wrong."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _unix(float(value))
    if not isinstance(value, str) or not value.strip():
        raise DateProblem("the time is empty")
    text = value.strip()
    if time_format is not None:
        try:
            return _aware(datetime.strptime(text, time_format), zone)
        except ValueError:
            raise DateProblem(f"{text[:40]!r} does not match the format {time_format!r}") from None
    if text.isdigit():
        seconds = int(text)
        if len(text) == UNIX_MILLISECONDS_DIGITS:
            return _unix(seconds / 1000)
        return _unix(float(seconds))
    try:
        return _aware(datetime.fromisoformat(text.replace("Z", "+00:00")), zone)
    except ValueError:
        pass
    for known in KNOWN_FORMATS:
        try:
            return _aware(datetime.strptime(text, known), zone)
        except ValueError:
            continue
    if "/" in text:
        raise DateProblem(
            f"{text[:40]!r}: a slash date is month-first or day-first; say which with a time "
            "format such as %m/%d/%Y %H:%M or %d/%m/%Y %H:%M"
        )
    raise DateProblem(
        f"{text[:40]!r} is not a date pinrelay reads: use ISO 8601 (2026-11-30 14:05:09), "
        "unix seconds, or give a time format"
    )


def _aware(moment: datetime, zone: tzinfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _unix(seconds: float) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise DateProblem(f"{seconds} is not a unix time pinrelay can read") from None
