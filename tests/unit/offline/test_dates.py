"""Dates as Shopify, WooCommerce and sheets write them, in the import's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pinrelay.errors import ImportFileError
from pinrelay.offline.dates import DateProblem, parse_time, time_zone

PARIS = time_zone("Europe/Paris")


def test_shopify_times_carry_their_own_offset() -> None:
    moment = parse_time("2026-11-30 14:05:09 -0500", zone=PARIS)

    assert moment == datetime(2026, 11, 30, 19, 5, 9, tzinfo=UTC)


def test_woocommerce_times_are_read_in_the_shops_time_zone() -> None:
    moment = parse_time("2026-11-30 14:05:09", zone=PARIS)

    assert moment == datetime(2026, 11, 30, 13, 5, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-30T14:05:09Z", datetime(2026, 11, 30, 14, 5, 9, tzinfo=UTC)),
        ("2026-11-30", datetime(2026, 11, 30, tzinfo=UTC)),
        ("1796083509", datetime(2026, 12, 1, 0, 5, 9, tzinfo=UTC)),
        ("1796083509000", datetime(2026, 12, 1, 0, 5, 9, tzinfo=UTC)),
        ("30.11.2026 14:05", datetime(2026, 11, 30, 14, 5, tzinfo=UTC)),
    ],
)
def test_sheet_formats_are_known(text: str, expected: datetime) -> None:
    assert parse_time(text, zone=UTC) == expected


def test_a_slash_date_needs_a_format_because_it_could_be_either_way() -> None:
    with pytest.raises(DateProblem, match="month-first or day-first"):
        parse_time("03/04/2026 10:00", zone=UTC)

    day_first = parse_time("03/04/2026 10:00", zone=UTC, time_format="%d/%m/%Y %H:%M")
    assert day_first == datetime(2026, 4, 3, 10, 0, tzinfo=UTC)


def test_an_empty_or_unreadable_time_says_so() -> None:
    with pytest.raises(DateProblem, match="empty"):
        parse_time("  ", zone=UTC)
    with pytest.raises(DateProblem, match="not a date"):
        parse_time("yesterday", zone=UTC)


def test_an_unknown_time_zone_names_the_expected_form() -> None:
    with pytest.raises(ImportFileError, match="IANA"):
        time_zone("Paris/France")
