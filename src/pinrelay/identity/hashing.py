"""Normalise-then-SHA-256 for every Pinterest match key (pinterest-capi.md §3).

Each hashed `user_data` key has its own normaliser; the rules follow the "Recommended for our
server" column of §3. A normaliser returns None when the input cannot be a value of its key:
garbage is dropped, never hashed, and nothing here raises on any input.

Already-hashed input (64 hex characters, any case) passes through lowercased and is never
hashed twice: that is what lets the event log keep hashes instead of raw PII and still give
the same Pinterest event when it is replayed (see identity.redaction).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from functools import lru_cache

from pinrelay.identity.dates import normalise_birthday
from pinrelay.identity.phones import (
    current_region,
    normalise_phone,
    parse_phone,
    supported_country,
)
from pinrelay.identity.places import COUNTRY_CODES, STATE_CODES, place_key

Normaliser = Callable[[str], str | None]

_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")
_WHITESPACE = re.compile(r"\s")
_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+")
_US_ZIP = re.compile(r"([0-9]{5})(?:[- ]?[0-9]{4})?")
_NOT_ASCII_ALNUM = re.compile(r"[^a-z0-9]")
_TWO_LETTERS = re.compile(r"[a-z]{2}")

# pinterest-capi.md §3: `ge` is exactly one of f / m / n (n = non-binary).
_GENDER_WORDS: dict[str, str] = {
    **dict.fromkeys(("f", "female", "woman", "women", "girl", "w", "feminine", "lady"), "f"),
    **dict.fromkeys(("m", "male", "man", "men", "boy", "masculine"), "m"),
    **dict.fromkeys(
        (
            "n", "nonbinary", "nb", "enby", "genderqueer", "agender", "genderfluid",
            "gendernonconforming", "x", "neutral", "nonbinaryperson",
        ),
        "n",
    ),
}  # fmt: skip
# ISO-3166 alpha-2 codes `phonenumbers` has no region for (no telephone numbers there).
_COUNTRIES_WITHOUT_PHONES = frozenset(("aq", "bv", "gs", "hm", "pn", "tf", "um"))


def sha256_hex(text: str) -> str:
    """Lowercase hex SHA-256 of the UTF-8 bytes of `text`."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_sha256_hex(value: object) -> bool:
    """True for a string of exactly 64 hex characters (either case)."""
    return isinstance(value, str) and _SHA256_HEX.fullmatch(value) is not None


def normalise_email(raw: str) -> str | None:
    text = raw.strip().lower()
    return text if _EMAIL_SHAPE.fullmatch(text) else None


def normalise_name(raw: str) -> str | None:
    # §3 leaves inner punctuation UNVERIFIED: keep it ("o'brien"), as RudderStack and Stape do.
    return raw.strip().lower() or None


def normalise_gender(raw: str) -> str | None:
    return _GENDER_WORDS.get(place_key(raw))


def normalise_city(raw: str) -> str | None:
    return "".join(char for char in raw.lower() if char.isalnum()) or None


def normalise_state(raw: str) -> str | None:
    key = place_key(raw)
    if _TWO_LETTERS.fullmatch(key):
        return key  # "CA", "n.y."
    return STATE_CODES.get(key)


def normalise_zip(raw: str) -> str | None:
    text = raw.strip()
    us_zip = _US_ZIP.fullmatch(text)
    if us_zip is not None:
        return us_zip.group(1)  # cut ZIP+4: UNVERIFIED in §3, Segment asks for five digits
    return _NOT_ASCII_ALNUM.sub("", text.lower()) or None


def normalise_country(raw: str) -> str | None:
    key = place_key(raw)
    named = COUNTRY_CODES.get(key)
    if named is not None:
        return named
    if _TWO_LETTERS.fullmatch(key) and (supported_country(key) or key in _COUNTRIES_WITHOUT_PHONES):
        return key
    return None


def normalise_external_id(raw: str) -> str | None:
    return raw.strip() or None  # §3: no rule from Pinterest; case is kept (UNVERIFIED)


def normalise_maid(raw: str) -> str | None:
    return raw.strip().lower() or None


@lru_cache(maxsize=256)
def _phone_in(raw: str, region: str) -> str | None:
    return normalise_phone(raw, region=region)


def normalise_phone_once(raw: str) -> str | None:
    """`normalise_phone` in the current source's country, remembered for the next few
    calls: parsing a number costs ~16 µs and one event reads its phone up to three times
    (its match keys, the redacted copy, the pipelines). Memory only, bounded."""
    return _phone_in(raw, current_region())


NORMALISERS: Mapping[str, Normaliser] = {
    "em": normalise_email,
    "ph": normalise_phone_once,  # national numbers in the source's country (identity.phones)
    "fn": normalise_name,
    "ln": normalise_name,
    "ge": normalise_gender,
    "db": normalise_birthday,
    "ct": normalise_city,
    "st": normalise_state,
    "zp": normalise_zip,
    "country": normalise_country,
    "external_id": normalise_external_id,
    "hashed_maids": normalise_maid,
}

HASHED_KEYS: frozenset[str] = frozenset(NORMALISERS)


def as_text(value: object) -> str | None:
    """The text form of a scalar PII value; None for anything else (bools, objects, NaN)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def normalise(key: str, value: object) -> str | None:
    """The normalised (not hashed) form of `value` as match key `key`, or None."""
    normaliser = NORMALISERS.get(key)
    text = as_text(value)
    if normaliser is None or text is None:
        return None
    return normaliser(text)


def drop_reason(key: str, value: object) -> str:
    """Why `value` gave no `key` hash, in words that never quote the value (it is PII)."""
    text = as_text(value)
    if text is None:
        return f"a {type(value).__name__} cannot be a {key} value"
    if key == "ph":
        reason = parse_phone(text)[1]
        return f"not a usable phone number: {reason or 'unknown reason'}"
    return f"the value cannot be normalised as {key}"


def normalise_and_hash(key: str, value: object) -> str | None:
    """The SHA-256 hex Pinterest expects for `value` as match key `key`, or None.

    None when `key` is not a hashed key, or `value` cannot be normalised. 64-hex input is
    taken as already hashed and returned lowercased.
    """
    if key not in NORMALISERS:
        return None
    text = as_text(value)
    if text is None:
        return None
    stripped = text.strip()
    if is_sha256_hex(stripped):
        return stripped.lower()
    normalised = NORMALISERS[key](text)
    return None if normalised is None else sha256_hex(normalised)
