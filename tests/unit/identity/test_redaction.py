"""The event log stores a redacted copy: no raw PII, and replaying it gives the same events."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pinrelay.identity.hashing import is_sha256_hex, sha256_hex
from pinrelay.identity.matchkeys import MATCH_KEY_FIELDS, TRAIT_BAGS, lookup, match_keys_of
from pinrelay.identity.piiscan import clean_outgoing_event
from pinrelay.identity.redaction import redact_pii
from pinrelay.pipeline import EventInput, PipelineOutput, load_pipeline_file, load_presets

SEED_FILE = Path(__file__).parent.parent / "pipeline" / "fixtures" / "pinterest-checkout.yaml"
PIPELINES = load_presets().overridden_by(load_pipeline_file(SEED_FILE))

RAW_PII = {
    "email": "Jane.Doe@Example.com",
    "phone": "+1 (650) 555-1212",
    "firstName": "Jane",
    "lastName": "Doe",
    "name": "Jane Doe",
    "gender": "female",
    "birthday": "1990-04-01",
    "address": {
        "street": "1 Hacker Way",
        "city": "Menlo Park",
        "state": "CA",
        "postalCode": "94025",
        "country": "United States",
    },
}


def _message() -> dict[str, Any]:
    return {
        "type": "track",
        "event": "Order Completed",
        "messageId": "m-1",
        "userId": "user-1",
        "timestamp": "2026-11-20T10:00:00Z",
        "traits": copy.deepcopy(RAW_PII),
        "context": {"traits": copy.deepcopy(RAW_PII), "ip": "203.0.113.9"},
        "properties": {"email": RAW_PII["email"], "name": "Red Shoe", "revenue": 10},
    }


def test_no_raw_pii_value_survives() -> None:
    stored = json.dumps(redact_pii(_message()))
    for raw in ("Jane", "Doe", "example.com", "555", "female", "1990", "Menlo", "Hacker", "94025"):
        assert raw not in stored


def test_pii_is_replaced_by_its_normalised_hash_and_the_rest_is_untouched() -> None:
    redacted = redact_pii(_message())
    traits = redacted["context"]["traits"]
    assert traits["email"] == sha256_hex("jane.doe@example.com")
    assert traits["name"] == f"{sha256_hex('jane')} {sha256_hex('doe')}"
    assert traits["address"] == {
        "city": sha256_hex("menlopark"),
        "state": sha256_hex("ca"),
        "postalCode": sha256_hex("94025"),
        "country": sha256_hex("us"),
    }
    assert redacted["properties"] == {
        "email": sha256_hex("jane.doe@example.com"),
        "name": "Red Shoe",  # a product name, not PII
        "revenue": 10,
    }
    assert redacted["context"]["ip"] == "203.0.113.9"
    assert redacted["userId"] == "user-1"


def test_values_that_cannot_be_normalised_are_removed_and_the_input_is_not_changed() -> None:
    message = {"traits": {"email": "garbage", "gender": "?", "address": "1 Main St, Springfield"}}
    before = copy.deepcopy(message)
    assert redact_pii(message) == {"traits": {}}
    assert message == before


def test_redacting_twice_changes_nothing() -> None:
    once = redact_pii(_message())
    assert redact_pii(once) == once


def test_replaying_the_redacted_copy_gives_the_same_pinterest_events() -> None:
    original = PIPELINES.evaluate(EventInput(_message(), {"_epik": "E"}))
    replayed = PIPELINES.evaluate(EventInput(redact_pii(_message()), {"_epik": "E"}))
    assert [output.pipeline for output in original] == ["checkout", "pinterest_checkout"]
    assert _events(replayed) == _events(original)


PII_TEXT = st.text(max_size=30) | st.sampled_from(
    ["a@b.co", " X@Y.org ", "+44 7700 900123", "Female", "n", "1997-12-26", "USA", "Menlo Park",
     "94025-1234", "John Smith", "Ann", sha256_hex("x").upper()]
)  # fmt: skip
PII_VALUE = PII_TEXT | st.lists(PII_TEXT, max_size=3) | st.integers() | st.none()
TRAITS = st.fixed_dictionaries(
    {},
    optional={
        "email": PII_VALUE,
        "phone": PII_VALUE,
        "firstName": PII_VALUE,
        "last_name": PII_VALUE,
        "name": PII_VALUE,
        "gender": PII_VALUE,
        "birthday": PII_VALUE,
        "address": st.fixed_dictionaries(
            {},
            optional={"city": PII_VALUE, "state": PII_VALUE, "postalCode": PII_VALUE,
                      "country": PII_VALUE, "street": PII_VALUE},
        ) | PII_TEXT,
    },
)  # fmt: skip
EVENT_NAMES = st.sampled_from(
    ["Order Completed", "order_completed", "Product Added", "Signed Up", "Something Else"]
)
MESSAGES = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["track", "page", "identify"]),
        "messageId": st.text(min_size=1, max_size=8),
        "timestamp": st.just("2026-11-20T10:00:00Z"),
    },
    optional={
        "event": EVENT_NAMES,
        "userId": st.text(max_size=8),
        "traits": TRAITS,
        "context": st.fixed_dictionaries({"traits": TRAITS}, optional={"ip": st.just("1.2.3.4")}),
        "properties": TRAITS.map(lambda traits: {**traits, "revenue": 5, "currency": "usd"}),
    },
)


@settings(max_examples=200, deadline=None)
@given(message=MESSAGES)
def test_redaction_round_trip_property(message: dict[str, Any]) -> None:
    redacted = redact_pii(message)
    assert match_keys_of(redacted) == match_keys_of(message)
    # Same events; notes may differ (the garbage the original noted is gone from the copy).
    assert _events(_evaluate(redacted)) == _events(_evaluate(message))
    for bag_path in TRAIT_BAGS:
        for _, field_path in MATCH_KEY_FIELDS:
            stored = lookup(lookup(redacted, bag_path), field_path)
            values = stored if isinstance(stored, list) else [stored]
            assert all(value is None or is_sha256_hex(value) for value in values)


def _evaluate(message: dict[str, Any]) -> list[PipelineOutput]:
    return PIPELINES.evaluate(EventInput(message, {}, {}))


def _events(outputs: list[PipelineOutput]) -> list[tuple[str, dict[str, Any]]]:
    """The events as ingest queues them: PII outside user_data hashed (clean_outgoing_event),
    e.g. a product named like an email address, which the stored copy holds hashed."""
    for output in outputs:
        clean_outgoing_event(output.event)
    return [(output.pipeline, output.event) for output in outputs]
