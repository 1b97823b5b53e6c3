"""Checking Segment messages: what passes, what is refused, and the clock-skew rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pinrelay.collect.messages import (
    MAX_NESTING_DEPTH,
    MessageRejected,
    check_message,
    corrected_time,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def check(raw: Any, default_type: str | None = "track", sent: datetime | None = None) -> Any:
    return check_message(raw, default_type=default_type, received_at=NOW, batch_sent_at=sent)


def test_a_minimal_track_passes_and_gets_an_id_and_times() -> None:
    accepted = check({"event": "Signed Up", "userId": "u1"})
    assert accepted.type == "track"
    assert accepted.name == "Signed Up"
    assert accepted.message_id == accepted.message["messageId"]
    assert accepted.event_time == NOW
    assert accepted.message["receivedAt"] == NOW.isoformat()


def test_numeric_user_ids_become_strings() -> None:
    assert check({"event": "x", "userId": 42}).message["userId"] == "42"


def test_null_objects_are_dropped_not_refused() -> None:
    message = check(
        {"event": "x", "anonymousId": "a", "userId": None, "properties": None, "context": None}
    ).message
    assert "properties" not in message
    assert "context" not in message
    assert message["userId"] is None


@pytest.mark.parametrize(
    ("raw", "starts"),
    [
        ({"userId": "u"}, "event:"),
        ({"event": "  ", "userId": "u"}, "event:"),
        ({"event": "x"}, "userId or anonymousId"),
        ({"event": "x", "userId": ["u"]}, "userId:"),
        ({"event": "x", "userId": "u", "timestamp": "soon"}, "timestamp:"),
        ({"event": "x", "userId": "u", "context": "web"}, "context:"),
        ({"event": "x", "userId": "u", "type": "buy"}, "type:"),
        ("a string", "expected a JSON object"),
    ],
)
def test_refusals_name_the_field(raw: Any, starts: str) -> None:
    with pytest.raises(MessageRejected) as caught:
        check(raw)
    assert caught.value.message.startswith(starts)


def test_a_message_without_type_and_no_default_is_refused() -> None:
    with pytest.raises(MessageRejected, match=r"^type: missing"):
        check({"event": "x", "userId": "u"}, default_type=None)


def test_an_event_over_32_kb_is_refused_as_too_large() -> None:
    with pytest.raises(MessageRejected) as caught:
        check({"event": "x", "userId": "u", "properties": {"b": "x" * 33_000}})
    assert caught.value.too_large


def nested(depth: int) -> dict[str, Any]:
    """Properties whose objects nest `depth` levels below the message."""
    inner: dict[str, Any] = {"leaf": 1}
    for _ in range(depth - 2):
        inner = {"in": inner}
    return inner


def test_many_containers_side_by_side_are_not_deep() -> None:
    products = [{"sku": f"s{i}", "tags": ["a", "{["]} for i in range(50)]  # 100+ openings
    message = check({"event": "x", "userId": "u", "properties": {"products": products}}).message
    assert len(message["properties"]["products"]) == 50


def test_nesting_is_refused_one_level_past_the_limit() -> None:
    check({"event": "x", "userId": "u", "properties": nested(MAX_NESTING_DEPTH)})
    with pytest.raises(MessageRejected, match=f"deeper than {MAX_NESTING_DEPTH} levels"):
        check({"event": "x", "userId": "u", "properties": nested(MAX_NESTING_DEPTH + 1)})


def test_clock_skew_is_corrected_with_sent_at() -> None:
    device_clock_ahead = timedelta(hours=3)
    happened_on_device = NOW - timedelta(minutes=10) + device_clock_ahead
    sent_on_device = NOW + device_clock_ahead
    assert corrected_time(
        happened=happened_on_device, sent=sent_on_device, received=NOW
    ) == NOW - timedelta(minutes=10)


def test_an_event_is_never_dated_in_the_future() -> None:
    assert corrected_time(happened=NOW + timedelta(days=1), sent=None, received=NOW) == NOW


def test_batch_sent_at_applies_to_its_messages() -> None:
    accepted = check(
        {"event": "x", "userId": "u", "timestamp": "2026-11-22T14:50:00Z"},
        sent=datetime(2026, 11, 22, 15, 0, tzinfo=UTC),
    )
    assert accepted.event_time == NOW - timedelta(minutes=10)


def test_a_naive_timestamp_is_read_as_utc() -> None:
    accepted = check({"event": "x", "userId": "u", "timestamp": "2026-11-22T11:00:00"})
    assert accepted.event_time == NOW - timedelta(hours=1)
