"""Issue 3's "Done when" list of normalisation cases, each against its rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pinrelay.identity.dates import normalise_birthday
from pinrelay.identity.hashing import normalise, normalise_and_hash, sha256_hex
from pinrelay.identity.phones import phone_region


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("07700 900123", "GB", "447700900123"),
        ("+44 7700 900123", "US", "447700900123"),
        ("0151 23456789", "DE", "4915123456789"),
        ("+49 (0)30 1234567", "US", "49301234567"),
    ],
)
def test_uk_and_german_phones(raw: str, region: str, expected: str) -> None:
    with phone_region(region):
        assert normalise("ph", raw) == expected
        assert normalise_and_hash("ph", raw) == sha256_hex(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("94025-1234", "94025"), ("94025 1234", "94025"), ("940251234", "94025"),
     (" 94025 ", "94025"), ("K1A 0B1", "k1a0b1"), ("10115", "10115")],
)  # fmt: skip
def test_zip_plus_4_is_cut_to_five_digits_other_codes_are_alphanumerics(
    raw: str, expected: str
) -> None:
    assert normalise("zp", raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("New York", "ny"), ("new-york", "ny"), ("N.Y.", "ny"), ("NY", "ny"), ("California", "ca"),
     ("District of Columbia", "dc"), ("Ontario", "on"), ("Québec", "qc"), ("Quebec", "qc"),
     ("British Columbia", "bc"), ("Newfoundland and Labrador", "nl")],
)  # fmt: skip
def test_states_and_provinces_become_two_letter_codes(raw: str, expected: str) -> None:
    assert normalise("st", raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("United Kingdom", "gb"), ("UK", "gb"), ("Great Britain", "gb"), ("United States", "us"),
     ("U.S.A.", "us"), ("Deutschland", "de"), ("GB", "gb"), (" fr ", "fr"), ("Canada", "ca")],
)  # fmt: skip
def test_countries_become_iso_alpha_2(raw: str, expected: str) -> None:
    assert normalise("country", raw) == expected


@pytest.mark.parametrize("raw", ["zz", "xx", "Narnia", "u"])
def test_two_letters_that_are_no_country_are_dropped(raw: str) -> None:
    assert normalise("country", raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("female", "f"), ("Female", "f"), ("F", "f"), ("woman", "f"), ("male", "m"), ("Male", "m"),
     ("M", "m"), ("man", "m"), ("non-binary", "n"), ("Non Binary", "n"), ("nonbinary", "n"),
     ("genderqueer", "n"), ("enby", "n")],
)  # fmt: skip
def test_gender_words(raw: str, expected: str) -> None:
    assert normalise("ge", raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1997-12-26", "19971226"),  # ISO date
        ("1997-12-26T00:00:00.000Z", "19971226"),  # ISO date-time (analytics.js Date)
        ("19971226", "19971226"),  # ISO basic
        ("1997/12/26", "19971226"),  # year first, slashes
        ("26 December 1997", "19971226"),  # month name
        ("Dec 26, 1997", "19971226"),
        ("26/12/1997", "19971226"),  # day first, certain because 26 > 12
        ("12/26/1997", "19971226"),  # month first (US), certain because 26 > 12
        ("05.05.1990", "19900505"),  # day == month: both orders agree
    ],
)
def test_birthday_formats(raw: str, expected: str) -> None:
    assert normalise("db", raw) == expected


@pytest.mark.parametrize("raw", ["01/02/1997", "1997-02-30", "Dec 1997", "32/13/1997", "soon"])
def test_ambiguous_or_impossible_birthdays_are_dropped(raw: str) -> None:
    assert normalise_birthday(raw) is None


def test_external_id_is_trimmed_only_case_kept() -> None:
    assert normalise("external_id", "  User-42 ") == "User-42"


def test_already_hashed_values_pass_through_lowercased() -> None:
    digest = sha256_hex("x@example.com")
    assert normalise_and_hash("em", digest.upper()) == digest
    assert normalise_and_hash("ph", digest) == digest


@given(text=st.text(max_size=60))
def test_birthday_normalisation_is_idempotent(text: str) -> None:
    once = normalise_birthday(text)
    if once is not None:
        assert normalise_birthday(once) == once
