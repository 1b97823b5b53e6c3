"""Where the match keys of a Segment message are read from."""

from __future__ import annotations

from pinrelay.identity.hashing import sha256_hex
from pinrelay.identity.matchkeys import match_keys_of, merge_match_keys


def test_reads_every_trait_bag_and_user_id() -> None:
    message = {
        "type": "track",
        "userId": "user-42",
        "traits": {"email": "A@Example.com"},
        "context": {
            "traits": {
                "phone": "+1 650 555 1212",
                "firstName": "John",
                "lastName": "Smith",
                "gender": "male",
                "birthday": "1997-12-26",
                "address": {
                    "city": "Menlo Park",
                    "state": "CA",
                    "postalCode": "94025",
                    "country": "US",
                },
            }
        },
        "properties": {"email": "b@example.com"},
    }
    assert match_keys_of(message) == {
        "em": [sha256_hex("a@example.com"), sha256_hex("b@example.com")],
        "ph": [sha256_hex("16505551212")],
        "fn": [sha256_hex("john")],
        "ln": [sha256_hex("smith")],
        "ge": [sha256_hex("m")],
        "db": [sha256_hex("19971226")],
        "ct": [sha256_hex("menlopark")],
        "st": [sha256_hex("ca")],
        "zp": [sha256_hex("94025")],
        "country": [sha256_hex("us")],
        "external_id": [sha256_hex("user-42")],
    }


def test_same_value_in_several_places_is_kept_once_in_first_seen_order() -> None:
    message = {
        "traits": {"email": ["x@example.com", "Y@example.com"]},
        "context": {"traits": {"email": " X@example.com "}},
        "properties": {"email": "y@example.com"},
    }
    assert match_keys_of(message) == {
        "em": [sha256_hex("x@example.com"), sha256_hex("y@example.com")]
    }


def test_full_name_is_split_in_traits_but_properties_name_is_a_product() -> None:
    message = {
        "context": {"traits": {"name": "  Mary Ann Smith "}},
        "properties": {"name": "Red Shoe"},
    }
    assert match_keys_of(message) == {
        "fn": [sha256_hex("mary")],
        "ln": [sha256_hex("smith")],
    }


def test_snake_case_traits_and_user_id_are_read_too() -> None:
    message = {
        "user_id": "u1",
        "traits": {"first_name": "Ann", "address": {"postal_code": "SW1A 1AA"}},
    }
    assert match_keys_of(message) == {
        "fn": [sha256_hex("ann")],
        "zp": [sha256_hex("sw1a1aa")],
        "external_id": [sha256_hex("u1")],
    }


def test_values_that_cannot_be_normalised_are_left_out() -> None:
    message = {"traits": {"email": "nope", "gender": "?", "address": "1 Main St"}}
    assert match_keys_of(message) == {}


def test_merge_is_an_order_preserving_union() -> None:
    merged = merge_match_keys({"em": ["a", "b"]}, {"em": ["b", "c"], "ph": ["p"]}, {"fn": []})
    assert merged == {"em": ["a", "b", "c"], "ph": ["p"]}
