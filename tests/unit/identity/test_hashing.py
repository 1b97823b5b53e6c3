"""Normalise-then-SHA-256 of match keys: pinterest-capi.md §3, "Recommended" column."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pinrelay.identity.hashing import (
    HASHED_KEYS,
    NORMALISERS,
    is_sha256_hex,
    normalise,
    normalise_and_hash,
    sha256_hex,
)
from pinrelay.identity.phones import normalise_phone, phone_region

# pinterest-capi.md §3 test vectors: (key, raw, normalised, sha256)
SECTION_3_VECTORS = [
    ("em", "  John.Doe@Example.COM ", "john.doe@example.com",
     "836f82db99121b3481011f16b49dfa5fbc714a0d1b1b9f784a1ebbbf5b39577f"),
    ("ph", "+1 (650) 555-1212", "16505551212",
     "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"),
    ("fn", " John ", "john", "96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a"),
    ("ln", "Smith", "smith", "6627835f988e2c5e50533d491163072d3f4f41f5c8b04630150debb3722ca2dd"),
    ("ge", "Female", "f", "252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111"),
    ("ge", "Male", "m", "62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a"),
    ("ge", "non-binary", "n", "1b16b1df538ba12dc3f97edbb85caa7050d46c148134290feba80f8236c83db9"),
    ("db", "1997-12-26", "19971226",
     "069068313b0b2dd680b9f0b8082228a817fb100433ad1d825ccc4d20123669a8"),
    ("ct", "Menlo Park", "menlopark",
     "0007a3d64c01e23d5075203c5977c14e4f7e01a3fc570686fcc50b5e1dd42685"),
    ("st", "CA", "ca", "6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126"),
    ("zp", "94025", "94025", "b9a9cf3cd3723a2e91b7c23ecf68456e872b6e5d86e5cab7f3d45a7302da32c7"),
    ("country", "US", "us", "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"),
]  # fmt: skip


@pytest.mark.parametrize(("key", "raw", "normalised", "digest"), SECTION_3_VECTORS)
def test_section_3_vectors(key: str, raw: str, normalised: str, digest: str) -> None:
    assert normalise(key, raw) == normalised
    assert normalise_and_hash(key, raw) == digest


def test_uk_phone_vector_needs_the_default_country() -> None:
    # §3: UK `07700 900123` with country code 44 -> 447700900123. Read in the default US,
    # the national number is no US number: dropped, never hashed as garbage.
    normalised = normalise_phone("07700 900123", region="GB")
    assert normalised == "447700900123"
    assert sha256_hex(normalised) == (
        "033134b911b137918338415ee3d20a064b24773d36a3b02e8b99fdd3fcd6b4cd"
    )
    with phone_region("GB"):
        assert normalise_and_hash("ph", "07700 900123") == sha256_hex("447700900123")
    assert normalise("ph", "07700 900123") is None


def test_sha256_hex_is_lowercase_hex_of_utf8() -> None:
    assert sha256_hex("café") == hashlib.sha256("café".encode()).hexdigest()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("a" * 64, True), ("A" * 64, True), ("a" * 63, False), ("g" * 64, False),
     ("a" * 64 + "\n", False), (None, False), (123, False)],
)  # fmt: skip
def test_is_sha256_hex(value: object, expected: bool) -> None:
    assert is_sha256_hex(value) is expected


@pytest.mark.parametrize("key", sorted(HASHED_KEYS))
def test_already_hashed_input_passes_through_lowercased_never_hashed_twice(key: str) -> None:
    digest = sha256_hex("someone@example.com")
    assert normalise_and_hash(key, digest.upper()) == digest
    assert normalise_and_hash(key, f"  {digest}  ") == digest


@pytest.mark.parametrize(
    ("key", "raw", "normalised"),
    [
        ("em", "Jane@Example.org", "jane@example.org"),
        ("ph", "0044 7700 900123", "447700900123"),
        ("ph", 16505551212, "16505551212"),
        ("ge", "WOMAN", "f"),
        ("ge", " m ", "m"),
        ("ge", "Non Binary", "n"),
        ("db", "1997-12-26T23:30:00-05:00", "19971226"),
        ("db", "1997-12-26 08:00:00Z", "19971226"),
        ("db", "19971226", "19971226"),
        ("ct", "St. John's", "stjohns"),
        ("ct", "São Paulo", "sãopaulo"),
        ("st", " ny ", "ny"),
        ("st", "California", "ca"),
        ("zp", "94025-1234", "94025"),
        ("zp", "940251234", "94025"),
        ("zp", "SW1A 1AA", "sw1a1aa"),
        ("country", "United States", "us"),
        ("country", "USA", "us"),
        ("country", "United Kingdom", "gb"),
        ("country", "de", "de"),
        ("external_id", "  User-42 ", "User-42"),
        ("external_id", 42, "42"),
        ("hashed_maids", " 6D92078A-8246-4BA4-AE5B-76104861E7DC ",
         "6d92078a-8246-4ba4-ae5b-76104861e7dc"),
    ],
)  # fmt: skip
def test_recommended_normalisation(key: str, raw: object, normalised: str) -> None:
    assert normalise(key, raw) == normalised


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("em", "not an email"),
        ("em", "   "),
        ("ph", "call me"),
        ("ph", "12345"),
        ("ph", "1" * 16),
        ("ge", "unknown"),
        ("db", "01/02/1997"),  # day or month first: both possible, not guessed
        ("db", "1997-02-30"),
        ("db", "1997-12-26Tnonsense"),
        ("ct", "!!!"),
        ("st", "Atlantis"),
        ("country", "Narnia"),
        ("zp", "---"),
        ("external_id", "  "),
        ("fn", True),
        ("fn", {"first": "x"}),
        ("fn", None),
        ("zp", 1.5),
        ("not_a_key", "value"),
    ],
)
def test_values_that_cannot_be_normalised_are_dropped_not_hashed(key: str, raw: object) -> None:
    assert normalise(key, raw) is None
    assert normalise_and_hash(key, raw) is None


@given(key=st.sampled_from(sorted(set(NORMALISERS) - {"ph"})), text=st.text())
def test_every_normaliser_is_idempotent_and_never_raises(key: str, text: str) -> None:
    once = NORMALISERS[key](text)
    if once is not None:
        assert NORMALISERS[key](once) == once


JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=5,
)


@given(key=st.text() | st.sampled_from(sorted(HASHED_KEYS)), value=JSON_LIKE)
def test_normalise_and_hash_gives_lowercase_hex_or_none_on_any_input(
    key: str, value: object
) -> None:
    digest = normalise_and_hash(key, value)
    assert digest is None or (is_sha256_hex(digest) and digest == digest.lower())


def test_a_remembered_phone_is_still_read_in_each_sources_country() -> None:
    """Phones are parsed once and remembered; the memory must not carry one source's
    country over to another's."""
    with phone_region("GB"):
        british = normalise_and_hash("ph", "07700 900123")
        assert normalise_and_hash("ph", "07700 900123") == british
    with phone_region("DE"):
        german = normalise_and_hash("ph", "07700 900123")
    assert british == hashlib.sha256(b"447700900123").hexdigest()
    assert german != british
