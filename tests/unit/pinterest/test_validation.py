"""validate_event: every problem with one event, named by path, saying what would be right."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from pinrelay.pinterest import validation
from pinrelay.pinterest.model import ACTION_SOURCES, HASHED_USER_FIELDS, ConversionEvent
from pinrelay.pinterest.problems import ProblemKind
from pinrelay.pinterest.schema_walk import find_schema_problems
from pinrelay.pinterest.validation import (
    ad_account_id_problem,
    check_event,
    event_time_problem,
    has_minimum_identity,
    validate_event,
)

from .helpers import EMAIL_HASH, NOW, make_event

IDENTITY_MESSAGE = (
    "user_data: needs em, hashed_maids, or both client_ip_address and client_user_agent"
)


def test_a_complete_event_has_no_problems() -> None:
    event = make_event(
        opt_out=False,
        partner_name="direct",
        wifi=True,
        language="en",
        app_info={"app_id": "429047995", "install_time": 1739222269, "window_width": 1678},
        device_info={"battery_level": 78, "form_factor": "cellphone", "languages": ["en", "de"]},
    )
    assert validate_event(event) == []


def test_the_required_fields_alone_are_enough() -> None:
    event = {
        "event_name": "lead",
        "action_source": "offline",
        "event_time": NOW,
        "event_id": "e1",
        "user_data": {"hashed_maids": [EMAIL_HASH]},
    }
    assert validate_event(event) == []


def test_a_valid_event_never_reaches_the_slow_walker(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("the walker ran for a valid event")

    monkeypatch.setattr(validation, "find_schema_problems", fail)
    assert validate_event(make_event()) == []


# --- schema: required fields, unknown fields, types ----------------------------------------


@pytest.mark.parametrize(
    "field", ["event_name", "action_source", "event_time", "event_id", "user_data"]
)
def test_each_required_field_is_named_when_missing(field: str) -> None:
    event = make_event()
    del event[field]
    assert f"{field}: required field is missing" in validate_event(event)


def test_an_unknown_custom_data_field_is_named_like_pinterest_rejects_it() -> None:
    event = make_event()
    event["custom_data"]["category_name"] = "shirts"
    assert validate_event(event) == [
        "custom_data.category_name: unknown field; Pinterest rejects fields outside the v5 schema"
    ]


@pytest.mark.parametrize(
    ("place", "key"),
    [
        ((), "advertiser_tracking_enabled"),  # sent by Segment, not in spec 5.23 (section 2.2)
        ((), "test_event_code"),  # Meta's, not Pinterest's (section 1)
        (("custom_data", "contents", 0), "item_brand_id"),
        (("app_info",), "bundle"),
        (("device_info",), "ram"),
    ],
)
def test_unknown_fields_are_rejected_wherever_the_schema_forbids_them(
    place: tuple[str | int, ...], key: str
) -> None:
    event = make_event(app_info={"app_id": "1"}, device_info={"brand": "Apple"})
    target: Any = event
    for step in place:
        target = target[step]
    target[key] = "x"
    path = ".".join(str(step) for step in place).replace(".0", "[0]")
    expected = f"{path}.{key}" if path else key
    assert [p.path for p in check_event(event)] == [expected]


def test_a_near_miss_field_name_gets_a_suggestion() -> None:
    event = make_event()
    event["custom_data"]["orderid"] = "o-1"
    assert validate_event(event) == [
        "custom_data.orderid: unknown field; Pinterest rejects fields outside the v5 schema"
        " (did you mean 'order_id'?)"
    ]


def test_an_undocumented_user_data_key_is_refused_but_marked_schema_legal() -> None:
    event = make_event()
    event["user_data"]["customer_type"] = "new"  # 5.31 only; UNVERIFIED (section 2.4)
    [problem] = check_event(event)
    assert problem.path == "user_data.customer_type"
    assert problem.kind is ProblemKind.USER_DATA_KEY
    assert not problem.kind.rejects_whole_request


def test_a_number_where_a_decimal_string_belongs_names_the_right_form() -> None:
    event = make_event()
    event["custom_data"]["value"] = 72.39
    assert validate_event(event) == [
        'custom_data.value: expected a decimal string like "72.39", got number 72.39'
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"event_time": True},
            "event_time: expected an integer (Unix time in seconds), got boolean true",
        ),
        (
            {"event_time": 1.79e9},
            "event_time: expected an integer (Unix time in seconds), got number 1790000000.0",
        ),
        (
            {"event_time": "1790000000"},
            "event_time: expected an integer (Unix time in seconds), got a string",
        ),
        ({"opt_out": None}, "opt_out: expected a boolean (true or false), got null"),
        ({"wifi": 1}, "wifi: expected a boolean (true or false), got number 1"),
        ({"event_id": 17}, "event_id: expected a string, got number 17"),
        ({"custom_data": []}, "custom_data: expected an object, got an array"),
    ],
)
def test_wrong_types_are_named_with_what_was_expected(change: dict[str, Any], message: str) -> None:
    assert validate_event(make_event(**change)) == [message]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quantity", "2", "custom_data.contents[0].quantity: expected an integer, got a string"),
        (
            "quantity",
            True,
            "custom_data.contents[0].quantity: expected an integer, got boolean true",
        ),
        (
            "item_price",
            14.99,
            'custom_data.contents[0].item_price: expected a decimal string like "72.39", '
            "got number 14.99",
        ),
    ],
)
def test_content_item_types_are_strict(field: str, value: object, message: str) -> None:
    event = make_event()
    event["custom_data"]["contents"][0][field] = value
    assert validate_event(event) == [message]


def test_nullable_fields_accept_null_and_others_do_not() -> None:
    event = make_event(event_source_url=None, partner_name=None, language=None)
    event["custom_data"].update(value=None, currency=None, order_id=None)
    event["user_data"].update(click_id=None, partner_id=None)
    assert validate_event(event) == []
    event["user_data"]["client_ip_address"] = None
    assert validate_event(event) == [
        "user_data.client_ip_address: expected a plain string (not hashed, not an array), got null"
    ]


def test_a_hashed_field_sent_as_a_string_is_named_without_echoing_it() -> None:
    event = make_event()
    event["user_data"]["em"] = "jane@example.com"
    messages = validate_event(event)
    assert (
        "user_data.em: expected an array of lowercase SHA-256 hex strings, got a string" in messages
    )
    assert not any("jane" in message for message in messages)


@pytest.mark.parametrize(
    ("section", "change", "message"),
    [
        ("device_info", {"battery_level": 101}, "expected an integer from 0 to 100, got 101"),
        ("device_info", {"cpu_cores": -1}, "expected an integer from 0 to 1152, got -1"),
        ("device_info", {"locale": "x" * 36}, "expected at most 35 characters, got 36"),
        ("device_info", {"timezone_abbr": "ABCDEF"}, "expected at most 5 characters, got 6"),
        ("device_info", {"languages": ["en"] * 101}, "expected 0 to 100 items, got 101"),
        ("app_info", {"app_id": "9" * 201}, "expected at most 200 characters, got 201"),
        ("app_info", {"window_width": 30721}, "expected an integer from 0 to 30720, got 30721"),
        ("app_info", {"install_time": -1}, "expected an integer of at least 0, got -1"),
    ],
)
def test_app_and_device_info_limits_of_the_spec_apply(
    section: str, change: dict[str, Any], message: str
) -> None:
    [field] = change
    assert validate_event(make_event(**{section: change})) == [f"{section}.{field}: {message}"]


def test_device_info_enums_list_the_allowed_values() -> None:
    [message] = validate_event(make_event(device_info={"form_factor": "phone"}))
    assert message.startswith("device_info.form_factor: expected one of ")
    assert "cellphone" in message
    assert message.endswith("got 'phone'")


def test_all_problems_are_reported_at_once() -> None:
    event = make_event(wifi="yes", action_source="website", extra=1)
    event["custom_data"]["value"] = 10
    event["user_data"]["em"] = ["jane@example.com"]
    paths = [problem.path for problem in check_event(event)]
    assert sorted(paths) == sorted(
        ["extra", "wifi", "custom_data.value", "user_data.em[0]", "action_source"]
    )


def test_something_that_is_not_an_object_is_named_as_the_event() -> None:
    assert validate_event([1, 2]) == ["event: expected an object, got an array"]  # type: ignore[arg-type]  # deliberately the wrong type


@pytest.mark.parametrize(
    "change",
    [
        {"event_time": 1.5},
        {"event_time": 2**70},
        {"opt_out": "no"},
        {"custom_data": {"contents": [{"quantity": 1.0}]}},
        {"custom_data": {"num_items": False}},
        {"user_data": {"em": [EMAIL_HASH, 5]}},
        {"device_info": {"os_family": "beos"}},
        {"app_info": {"user_agent": "u" * 16385}},
        {"language": None, "unknown": None},
    ],
)
def test_the_walker_and_msgspec_agree_on_what_breaks_the_schema(change: dict[str, Any]) -> None:
    event = make_event(**change)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert(event, ConversionEvent)
    assert find_schema_problems(event, ConversionEvent)


def test_should_the_walker_miss_a_problem_msgspecs_own_words_are_translated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(validation, "find_schema_problems", lambda *args: [])
    event = make_event()
    event["custom_data"]["contents"][0]["quantity"] = "2"
    [problem] = check_event(event)
    assert problem.message == "custom_data.contents[0].quantity: Expected int, got str"
    assert problem.kind.rejects_whole_request


# --- minimum identity (section 2.4) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("user_data", "enough"),
    [
        ({"em": [EMAIL_HASH]}, True),
        ({"hashed_maids": [EMAIL_HASH]}, True),
        ({"client_ip_address": "203.0.113.9", "client_user_agent": "Mozilla/5.0"}, True),
        ({"client_ip_address": "203.0.113.9"}, False),
        ({"client_user_agent": "Mozilla/5.0"}, False),
        ({"ph": [EMAIL_HASH], "external_id": [EMAIL_HASH], "click_id": "x"}, False),
        ({"em": [], "hashed_maids": []}, False),
        ({"client_ip_address": "", "client_user_agent": "Mozilla/5.0"}, False),
        ({}, False),
    ],
)
def test_minimum_identity_is_em_or_maids_or_ip_with_user_agent(
    user_data: dict[str, Any], enough: bool
) -> None:
    assert has_minimum_identity(user_data) is enough


def test_an_event_without_minimum_identity_says_what_would_do() -> None:
    event = make_event(user_data={"ph": [EMAIL_HASH]})
    assert validate_event(event) == [IDENTITY_MESSAGE]


def test_an_empty_em_array_does_not_count_and_the_message_says_so() -> None:
    event = make_event(user_data={"em": []})
    [message] = validate_event(event)
    assert message.startswith(IDENTITY_MESSAGE)
    assert "em empty: an empty array does not count" in message


# --- hashed values, action_source, event_time, event_id, decimals, IP ----------------------


@pytest.mark.parametrize("field", HASHED_USER_FIELDS)
def test_every_hashed_field_must_hold_lowercase_sha256_hex(field: str) -> None:
    event = make_event()
    event["user_data"][field] = [EMAIL_HASH, "Jane@Example.com"]
    messages = validate_event(event)
    assert messages == [
        f"user_data.{field}[1]: expected a lowercase SHA-256 hex string (64 chars); "
        "normalise the raw value, then hash it"
    ]


def test_uppercase_hex_is_told_to_lowercase() -> None:
    event = make_event()
    event["user_data"]["em"] = [EMAIL_HASH.upper()]
    [message] = validate_event(event)
    assert message.endswith("it has uppercase hex digits, lowercase them")


def test_a_hash_one_character_short_is_caught() -> None:
    event = make_event()
    event["user_data"]["em"] = [EMAIL_HASH[:63]]
    assert [p.kind for p in check_event(event)] == [ProblemKind.HASHED_VALUE]


@pytest.mark.parametrize("source", sorted(ACTION_SOURCES))
def test_the_four_action_sources_are_accepted(source: str) -> None:
    assert validate_event(make_event(action_source=source)) == []


def test_another_action_source_is_refused_with_the_four_allowed() -> None:
    assert validate_event(make_event(action_source="website")) == [
        'action_source: expected one of app_android, app_ios, web, offline, got "website"'
    ]


@pytest.mark.parametrize(
    ("event_time", "message"),
    [
        (0, "event_time: expected a positive Unix time in seconds, got 0"),
        (-5, "event_time: expected a positive Unix time in seconds, got -5"),
        (
            NOW * 1000,
            f"event_time: expected Unix time in seconds, got {NOW * 1000} (milliseconds?)",
        ),
    ],
)
def test_event_time_must_be_positive_unix_seconds(event_time: int, message: str) -> None:
    assert validate_event(make_event(event_time=event_time)) == [message]


def test_event_age_is_not_checked_here() -> None:
    assert validate_event(make_event(event_time=NOW - 30 * 86400)) == []


def test_unknown_event_names_are_not_rejected() -> None:
    # Pinterest processes them with an "Unknown" warning (pinterest-capi.md section 2.3).
    assert validate_event(make_event(event_name="subscription")) == []


@pytest.mark.parametrize("event_id", ["", "   "])
def test_event_id_must_not_be_empty(event_id: str) -> None:
    [message] = validate_event(make_event(event_id=event_id))
    assert message.startswith("event_id: must not be empty")


@pytest.mark.parametrize("value", ["72.39", "100", "0", "-5.5"])
def test_plain_decimal_strings_are_accepted(value: str) -> None:
    event = make_event()
    event["custom_data"]["value"] = value
    assert validate_event(event) == []


@pytest.mark.parametrize("value", ["$72.39", "1,000.00", "1e3", "abc", "", " 72.39"])
def test_other_money_strings_are_refused(value: str) -> None:
    event = make_event()
    event["custom_data"]["predicted_ltv"] = value
    [problem] = check_event(event)
    assert problem.path == "custom_data.predicted_ltv"
    assert problem.kind is ProblemKind.DECIMAL_STRING


@pytest.mark.parametrize("address", ["203.0.113.9", "2001:db8::1", "10.0.0.255"])
def test_real_ip_addresses_are_accepted(address: str) -> None:
    event = make_event()
    event["user_data"]["client_ip_address"] = address
    assert validate_event(event) == []


UNUSABLE_ADDRESSES = ["0.0.0.0", "::", "999.1.1.1", "localhost", ""]  # noqa: S104  test data


@pytest.mark.parametrize("address", UNUSABLE_ADDRESSES)
def test_unusable_ip_addresses_are_refused(address: str) -> None:
    event = make_event()
    event["user_data"]["client_ip_address"] = address
    assert [p.path for p in check_event(event)] == ["user_data.client_ip_address"]


# --- event_time_problem and ad_account_id_problem -------------------------------------------


def test_seven_days_old_is_still_fine() -> None:
    assert event_time_problem(NOW - 7 * 86400, NOW + 0.9) is None


def test_older_than_seven_days_gets_pinterests_observed_message() -> None:
    assert event_time_problem(NOW - 7 * 86400 - 1, NOW + 0.9) == (
        "Invalid event_timestamp parameter. Given timestamp is in the past. "
        f"Current timestamp: {NOW}, Given event_timestamp: {NOW - 7 * 86400 - 1}"
    )


def test_a_minute_of_clock_skew_is_tolerated_but_not_more() -> None:
    assert event_time_problem(NOW + 60, NOW) is None
    assert event_time_problem(NOW + 61, NOW) == (
        "Invalid event_timestamp parameter. Given timestamp is in the future. "
        f"Current timestamp: {NOW}, Given event_timestamp: {NOW + 61}"
    )


@pytest.mark.parametrize("ad_account_id", ["549755885175", "1", "9" * 18])
def test_numeric_ad_account_ids_up_to_18_digits_are_fine(ad_account_id: str) -> None:
    assert ad_account_id_problem(ad_account_id) is None


@pytest.mark.parametrize("ad_account_id", ["", "act_123", "9" * 19, "12 34", "١٢٣"])
def test_other_ad_account_ids_are_explained(ad_account_id: str) -> None:
    problem = ad_account_id_problem(ad_account_id)
    assert problem is not None
    assert "not the Tag ID" in problem
