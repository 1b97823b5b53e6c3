"""The v5 model, the request-level check and the canonical encoding the outbox relies on."""

from __future__ import annotations

import json

import msgspec
import pytest

from pinrelay.errors import PayloadError
from pinrelay.pinterest.model import (
    ACTION_SOURCES,
    EVENT_NAMES,
    HASHED_USER_FIELDS,
    MAX_BATCH_EVENTS,
    MAX_EVENT_AGE_SECONDS,
    MAX_TEST_BATCH_EVENTS,
    PLAIN_USER_FIELDS,
    ConversionEvent,
    ConversionEventsRequest,
    ErrorBody,
    UserData,
)
from pinrelay.pinterest.problems import ProblemKind
from pinrelay.pinterest.validation import check_request, encode_batch, encode_event

from .helpers import EMAIL_HASH, NOW, make_event

SPEC_EVENT_FIELDS = {
    "event_name", "action_source", "event_time", "event_id", "event_source_url", "opt_out",
    "partner_name", "user_data", "custom_data", "app_id", "app_name", "app_version",
    "device_brand", "device_carrier", "device_model", "device_type", "os_version", "wifi",
    "language", "app_info", "device_info",
}  # fmt: skip


def test_the_event_struct_has_exactly_the_spec_fields() -> None:
    assert set(ConversionEvent.__struct_fields__) == SPEC_EVENT_FIELDS


def test_user_data_keys_are_split_into_hashed_arrays_and_plain_strings() -> None:
    assert set(HASHED_USER_FIELDS).isdisjoint(PLAIN_USER_FIELDS)
    assert set(UserData.__struct_fields__) == set(HASHED_USER_FIELDS) | set(PLAIN_USER_FIELDS)


def test_the_event_names_are_the_docs_22_not_the_specs_15() -> None:
    assert len(EVENT_NAMES) == 22
    assert {"app_open", "contact", "start_trial", "submit_application"} <= EVENT_NAMES
    assert "subscription" not in EVENT_NAMES


def test_limits_match_pinterest() -> None:
    assert sorted(ACTION_SOURCES) == ["app_android", "app_ios", "offline", "web"]
    assert (MAX_BATCH_EVENTS, MAX_TEST_BATCH_EVENTS) == (1000, 20)
    assert MAX_EVENT_AGE_SECONDS == 7 * 24 * 3600


def test_error_bodies_are_read_with_extra_keys() -> None:
    # Segment's fixtures add "status":"failure" to the 401 body (section 4.3).
    body = b'{"code":2,"message":"Authentication failed.","status":"failure"}'
    assert msgspec.json.decode(body, type=ErrorBody) == ErrorBody(
        code=2, message="Authentication failed."
    )


# --- check_request: what makes the whole request a 400 -------------------------------------


def test_a_valid_request_has_no_problems() -> None:
    assert check_request({"data": [make_event(), make_event(event_id="e2")]}) == []


@pytest.mark.parametrize(
    ("body", "schema_message"),
    [
        ({}, "'data' is a required property"),
        ({"data": []}, "[] should be non-empty"),
        ({"data": [make_event()] * 1001}, "[…] is too long"),
        ({"data": {}}, "{…} is not of type 'array'"),
        ([make_event()], "[…] is not of type 'object'"),
        (
            {"data": [make_event()], "test_event_code": "T1"},
            "Additional properties are not allowed ('test_event_code' was unexpected)",
        ),
    ],
)
def test_request_level_problems_use_jsonschema_wording(body: object, schema_message: str) -> None:
    [problem] = check_request(body)
    assert problem.kind.rejects_whole_request
    assert problem.schema_message == schema_message


def test_problems_inside_events_are_located_by_index() -> None:
    second = make_event()
    second["custom_data"]["value"] = 72.39
    [problem] = check_request({"data": [make_event(), second]})
    assert problem.path == "data[1].custom_data.value"
    assert problem.schema_message == "72.39 is not of type 'string', 'null'"


def test_several_unexpected_keys_are_listed_together_as_jsonschema_does() -> None:
    event = make_event()
    event["custom_data"].update(category_name="a", brand="b")
    problems = check_request({"data": [event]})
    assert {problem.schema_message for problem in problems} == {
        "Additional properties are not allowed ('category_name', 'brand' were unexpected)"
    }


def test_missing_identity_rejects_the_request() -> None:
    [problem] = check_request({"data": [make_event(user_data={"ph": [EMAIL_HASH]})]})
    assert problem.kind is ProblemKind.IDENTITY
    assert problem.path == "data[0].user_data"
    assert problem.schema_message == "{…} is not valid under any of the given schemas"


def test_per_event_problems_are_not_request_problems() -> None:
    event = make_event(action_source="website")
    event["user_data"]["em"] = ["raw@example.com"]
    event["user_data"]["customer_type"] = "new"
    assert [p for p in check_request({"data": [event]}) if p.kind.rejects_whole_request] == []


# --- encoding --------------------------------------------------------------------------------


def test_an_event_encodes_as_compact_json_with_sorted_keys() -> None:
    assert (
        encode_event({"b": 1, "a": {"d": [1, 2], "c": "x"}}) == b'{"a":{"c":"x","d":[1,2]},"b":1}'
    )


def test_the_same_event_built_in_another_order_encodes_to_the_same_bytes() -> None:
    event = make_event()
    reordered = dict(reversed(list(event.items())))
    assert encode_event(event) == encode_event(reordered)
    assert json.loads(encode_event(event)) == event


def test_a_struct_encodes_without_the_fields_that_were_not_set() -> None:
    event = ConversionEvent(
        event_name="lead",
        action_source="web",
        event_time=NOW,
        event_id="e1",
        user_data=UserData(em=[EMAIL_HASH]),
    )
    encoded = encode_event(event)
    assert json.loads(encoded) == {
        "action_source": "web",
        "event_id": "e1",
        "event_name": "lead",
        "event_time": NOW,
        "user_data": {"em": [EMAIL_HASH]},
    }
    assert msgspec.json.decode(encoded, type=ConversionEvent) == event


def test_something_json_cannot_carry_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="cannot be encoded as JSON"):
        encode_event({"event_id": object()})


def test_a_batch_body_is_the_encoded_events_joined_under_data() -> None:
    events = [encode_event(make_event(event_id="a")), encode_event(make_event(event_id="b"))]
    body = encode_batch(events)
    assert body == b'{"data":[' + events[0] + b"," + events[1] + b"]}"
    decoded = msgspec.json.decode(body, type=ConversionEventsRequest)
    assert [event.event_id for event in decoded.data] == ["a", "b"]


@pytest.mark.parametrize("count", [0, 1001])
def test_a_batch_holds_1_to_1000_events(count: int) -> None:
    with pytest.raises(PayloadError, match="1 to 1000 events"):
        encode_batch([b"{}"] * count)
