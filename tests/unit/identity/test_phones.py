"""Phone digits for `ph` until phonenumbers arrives (pinterest-capi.md §3)."""

from __future__ import annotations

import pytest

from pinrelay.identity.phones import normalise_phone


@pytest.mark.parametrize(
    ("raw", "calling_code", "expected"),
    [
        ("+1 (650) 555-1212", None, "16505551212"),
        ("+1 (650) 555-1212", "44", "16505551212"),  # already international
        ("0044 7700 900123", "1", "447700900123"),  # 00 international prefix
        ("07700 900123", "44", "447700900123"),  # national trunk 0 replaced by the code
        ("07700 900123", None, "7700900123"),  # no region: digits, leading zeros cut
        ("650.555.1212", "1", "6505551212"),  # no trunk 0: left alone (UNVERIFIED)
    ],
)
def test_phone_digits(raw: str, calling_code: str | None, expected: str) -> None:
    assert normalise_phone(raw, default_calling_code=calling_code) == expected


@pytest.mark.parametrize("raw", ["", "000", "123456", "+1234567890123456", "phone"])
def test_too_short_or_too_long_is_not_a_phone(raw: str) -> None:
    assert normalise_phone(raw) is None
