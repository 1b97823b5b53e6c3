"""Phone numbers reduced to the digits Pinterest hashes, with the `phonenumbers` library.

pinterest-capi.md §3: `ph` is digits only, with the country code, without leading zeros, i.e.
E.164 without the `+`. A number written without its country code is read in the source's
default country (`default_country`, `US` unless the source says otherwise); `+` and the `00`
international prefix carry their own. What cannot be a phone number is dropped with a reason,
never hashed as garbage.

The default country reaches every normaliser through a context variable that the ingest path
sets per source (`phone_region`), so pipelines, the identity merge and the event-log redaction
all hash a number the same way without threading the country through every call.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber

DEFAULT_COUNTRY = "US"
# Beyond this a "phone number" is not one; it also bounds the work of the parser.
MAX_PHONE_CHARS = 64

_region: ContextVar[str] = ContextVar("pinrelay_phone_region", default=DEFAULT_COUNTRY)
_NON_DIGITS = re.compile(r"[^0-9]")
_SEPARATORS_ONLY = re.compile(r"[\s().\-/]*")

_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "its country code does not exist",
    NumberParseException.NOT_A_NUMBER: "it is not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "it is too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "it is too short",
    NumberParseException.TOO_LONG: "it is too long",
}


def supported_country(code: str) -> bool:
    """Whether `code` is a region `phonenumbers` knows (ISO-3166 alpha-2, any case)."""
    return code.upper() in phonenumbers.SUPPORTED_REGIONS


@contextmanager
def phone_region(country: str | None) -> Iterator[None]:
    """Read national numbers as numbers of `country` inside this block (e.g. a source's)."""
    token = _region.set((country or DEFAULT_COUNTRY).upper())
    try:
        yield
    finally:
        _region.reset(token)


def current_region() -> str:
    return _region.get()


def _parse(text: str, region: str | None) -> PhoneNumber | None:
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException:
        return None


def _digits(number: PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]


def _usable(number: PhoneNumber) -> bool:
    """Not zeros only, and, with leading zeros (Italy's 06..., or a typo's 0.00001), digits
    that read back as the same number: a hash must not change when its input is
    normalised again (the stored copy is replayed through the normaliser)."""
    if number.national_number == 0:
        return False
    if not number.italian_leading_zero:  # the usual case: no second parse
        return True
    digits = _digits(number)
    again = _parse("+" + digits, None)
    return again is not None and _digits(again) == digits


def _international_form(text: str) -> str | None:
    """`+4477...` for `+44 77...` or `0044 77...`; None for a number written nationally."""
    if text.startswith("+"):
        return text
    lead = _SEPARATORS_ONLY.match(text)
    rest = text[lead.end() if lead else 0 :]
    if rest.startswith("00"):
        return "+" + rest[2:]
    return None


def parse_phone(raw: str, *, region: str | None = None) -> tuple[str | None, str | None]:
    """(E.164 digits without `+`, None) or (None, why it was dropped: never quoting it).

    A national number is read in `region` (default: the current source's country). Digits
    without `+` that are no number of that country but a valid international one are taken
    as international: that is also what makes the normaliser idempotent on its own output.
    """
    text = raw.strip()
    country = (region or current_region()).upper()
    if not text:
        return None, "it is empty"
    if len(text) > MAX_PHONE_CHARS:
        return None, "it is too long"
    international = _international_form(text)
    if international is not None:
        try:
            number = phonenumbers.parse(international, None)
        except NumberParseException as failure:
            return None, _PARSE_REASONS.get(failure.error_type, "it is not a phone number")
        if not _usable(number):
            return None, "it is not a phone number"
        if phonenumbers.is_possible_number(number):
            return _digits(number), None
        return None, "it has the wrong number of digits for its country code"
    digits = _NON_DIGITS.sub("", text)
    if not digits:
        return None, "it has no digits: it is not a phone number"
    national = _parse(text, country if supported_country(country) else DEFAULT_COUNTRY)
    if national is not None and phonenumbers.is_valid_number(national) and _usable(national):
        return _digits(national), None  # the usual case: no second parse (~12 µs)
    alternative = _parse("+" + digits, None)
    for candidate, check in (
        (alternative, phonenumbers.is_valid_number),
        (national, phonenumbers.is_possible_number),
        (alternative, phonenumbers.is_possible_number),
    ):
        if candidate is not None and check(candidate) and _usable(candidate):
            return _digits(candidate), None
    return None, (
        f"it is no phone number of the default country {country} and has no country code "
        "(write it as +<country code> <number>)"
    )


def normalise_phone(raw: str, *, region: str | None = None) -> str | None:
    """E.164 digits of `raw` without `+` (pinterest-capi.md §3), or None."""
    return parse_phone(raw, region=region)[0]
