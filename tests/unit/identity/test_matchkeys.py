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


def test_advertising_id_gives_hashed_maids_unless_ad_tracking_is_off() -> None:
    device = {"advertisingId": " 6D92078A-8246-4BA4-AE5B-76104861E7DC "}
    expected = sha256_hex("6d92078a-8246-4ba4-ae5b-76104861e7dc")
    assert match_keys_of({"context": {"device": device}}) == {"hashed_maids": [expected]}
    off = {**device, "adTrackingEnabled": False}
    assert match_keys_of({"context": {"device": off}}) == {}
    on = {**device, "adTrackingEnabled": True}
    assert match_keys_of({"context": {"device": on}}) == {"hashed_maids": [expected]}


def test_name_is_split_only_for_the_parts_without_their_own_field() -> None:
    message = {"traits": {"name": "Mary Smith", "firstName": "Maria"}}
    assert match_keys_of(message) == {"fn": [sha256_hex("maria")], "ln": [sha256_hex("smith")]}


def test_several_values_per_key_are_all_kept() -> None:
    message = {"traits": {"email": ["a@example.com", "b@example.com"], "phone": ["+1 650 555 1212",
               "+44 7700 900123"]}}  # fmt: skip
    keys = match_keys_of(message)
    assert len(keys["em"]) == 2
    assert keys["ph"] == [sha256_hex("16505551212"), sha256_hex("447700900123")]


def test_dropped_values_are_noted_by_field_and_reason_never_by_value() -> None:
    problems: list[str] = []
    message = {"context": {"traits": {"phone": "555-0199-CALL-ME", "email": "jane"}}}
    assert match_keys_of(message, problems) == {}
    assert problems == [
        "context.traits.email: the value cannot be normalised as em; dropped",
        "context.traits.phone: not a usable phone number: it is no phone number of the default "
        "country US and has no country code (write it as +<country code> <number>); dropped",
    ]
