"""`ph`: E.164 digits without `+`, read with `phonenumbers` (pinterest-capi.md §3)."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pinrelay.identity.phones import (
    DEFAULT_COUNTRY,
    current_region,
    normalise_phone,
    parse_phone,
    phone_region,
)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 (650) 555-1212", "US", "16505551212"),  # §3 vector
        ("+1 (650) 555-1212", "GB", "16505551212"),  # `+`: the number's own country wins
        ("(650) 555-1212", "US", "16505551212"),  # national: the default country's code
        ("650.555.1212", "US", "16505551212"),
        ("1-650-555-1212", "US", "16505551212"),  # US national prefix 1
        ("07700 900123", "GB", "447700900123"),  # §3 UK vector: trunk 0 replaced by 44
        ("+44 (0)7700 900123", "US", "447700900123"),  # the (0) UK writing habit
        ("0044 7700 900123", "US", "447700900123"),  # 00 international prefix
        ("011 44 7700 900123", "US", "447700900123"),  # US international prefix
        ("0151 23456789", "DE", "4915123456789"),  # German mobile
        ("030 1234567", "DE", "49301234567"),  # German landline (Berlin)
        ("+49 30 1234567", "US", "49301234567"),
        ("0049 151 23456789", "GB", "4915123456789"),
        ("447700900123", "US", "447700900123"),  # no US number: read as international
    ],
)
def test_phone_numbers_become_e164_digits(raw: str, region: str, expected: str) -> None:
    assert normalise_phone(raw, region=region) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("phone", "not a phone number"),
        ("12345", "default country US"),
        ("07700 900123", "default country US"),  # a UK national number read in the US
        ("+999 1234 5678", "country code does not exist"),
        ("+44 12", "wrong number of digits"),
        ("1" * 70, "too long"),
    ],
)
def test_what_cannot_be_a_phone_number_is_dropped_with_a_reason(raw: str, reason: str) -> None:
    digits, why = parse_phone(raw, region="US")
    assert digits is None
    assert why is not None
    assert reason in why
    if any(char.isdigit() for char in raw):
        assert raw not in why  # the reason never quotes the number (PII)


def test_the_default_country_comes_from_the_source_and_is_restored() -> None:
    assert current_region() == DEFAULT_COUNTRY == "US"
    with phone_region("gb"):
        assert normalise_phone("07700 900123") == "447700900123"
        with phone_region("DE"):
            assert normalise_phone("030 1234567") == "49301234567"
        assert current_region() == "GB"
    assert current_region() == "US"
    assert normalise_phone("07700 900123") is None


@given(text=st.text(), region=st.sampled_from(["US", "GB", "DE", "FR", "IN", "BR"]))
def test_never_raises_and_its_output_read_back_as_international_is_itself(
    text: str, region: str
) -> None:
    once = normalise_phone(text, region=region)
    if once is not None:
        assert once.isdigit()
        # The output has no `+`; read back as the international number it is, it is stable.
        assert normalise_phone("+" + once, region=region) == once


@given(
    digits=st.from_regex(r"\+?[0-9 ()\-.]{0,20}", fullmatch=True),
    region=st.sampled_from(["US", "GB", "DE"]),
)
@example(digits="200000000000", region="US")  # +20 (Egypt) and zeros only: dropped
@example(digits="0.00001", region="DE")  # leading zeros that do not read back the same
@example(digits="06 1234 5678", region="IT")  # Italy's leading zero is kept, and stable
def test_number_like_input_is_idempotent_in_its_region_when_valid_there(
    digits: str, region: str
) -> None:
    once = normalise_phone(digits, region=region)
    if once is not None:
        assert normalise_phone("+" + once, region="US") == once


def test_digits_without_plus_are_ambiguous_and_read_in_the_default_country_first() -> None:
    # 4792345678 is Norwegian (+47 923 45 678) and a valid US number (479 area code):
    # without `+`, the default country wins. That is why the output is hashed, never
    # normalised again as a national number.
    assert normalise_phone("+47 923 45 678", region="US") == "4792345678"
    assert normalise_phone("4792345678", region="US") == "14792345678"
