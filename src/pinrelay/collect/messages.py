"""Checking one Segment message and putting it in the shape the pipelines expect.

The check is hand-written over plain dicts rather than a typed decode: the pipelines need the
message as a dict anyway, and a few key lookups are the cheapest way to say precisely which
field is wrong ("timestamp: ..."), which is what a developer fixing their SDK call needs.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from pinrelay.collect.body import MAX_EVENT_BYTES
from pinrelay.errors import PinrelayError

MESSAGE_TYPES = frozenset({"track", "page", "screen", "identify", "group", "alias"})
TIMESTAMP_FIELDS = ("timestamp", "originalTimestamp", "sentAt")
OBJECT_FIELDS = ("properties", "traits", "context", "integrations")
# Deepest nesting of objects and arrays a message may have (the message itself is level 1).
# Real SDK payloads stay under 10; a limit keeps every later reader (redaction, the admin
# API, the live stream, replays) far from Python's recursion limit.
MAX_NESTING_DEPTH = 32

_encoder = msgspec.json.Encoder()


class MessageRejected(PinrelayError):
    """One message is unusable; the message says which field and how to fix it."""

    status_code = 400

    def __init__(self, message: str, *, too_large: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


class AcceptedMessage(msgspec.Struct, frozen=True):
    """A checked message, its id, and the time the event happened (skew-corrected)."""

    message: dict[str, Any]
    message_id: str
    type: str
    name: str | None
    event_time: datetime
    received_at: datetime


def parse_timestamp(value: object, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MessageRejected(
            f"{field}: expected an ISO-8601 string such as "
            f'"2026-11-22T10:00:00Z", got {type(value).__name__}'
        )
    try:
        parsed = datetime.fromisoformat(value)
        # In UTC at once: a time zone that pushes year 1 or 9999 off the calendar fails here.
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise MessageRejected(
            f'{field}: {value[:40]!r} is not an ISO-8601 timestamp such as "2026-11-22T10:00:00Z"'
        ) from None


def nesting_depth(value: object, limit: int = MAX_NESTING_DEPTH) -> int:
    """How deeply objects and arrays nest in `value`, counted up to `limit` + 1.

    Iterative, so a hostile depth cannot exhaust the stack while it is being measured; only
    containers are stacked (a message's leaves are most of its values).
    """
    if not isinstance(value, dict | list):
        return 0
    deepest = 1
    stack: list[tuple[dict[Any, Any] | list[Any], int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        for child in item.values() if isinstance(item, dict) else item:
            if isinstance(child, dict | list):
                if depth == deepest:
                    deepest = depth + 1
                    if deepest > limit:
                        return deepest
                stack.append((child, depth + 1))
    return deepest


def _as_id(value: object, field: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MessageRejected(f"{field}: expected a string, got {type(value).__name__}")
    return str(value)


def check_message(
    raw: object, *, default_type: str | None, received_at: datetime, batch_sent_at: datetime | None
) -> AcceptedMessage:
    """Check one message; raise MessageRejected naming the field at fault."""
    if not isinstance(raw, dict):
        raise MessageRejected(f"expected a JSON object, got {type(raw).__name__}")
    message: dict[str, Any] = dict(raw)
    message_type = message.get("type") or default_type
    if message_type is None:
        raise MessageRejected("type: missing; one of " + ", ".join(sorted(MESSAGE_TYPES)))
    if not isinstance(message_type, str):
        raise MessageRejected(
            f"type: expected a string, got {type(message_type).__name__}; one of "
            + ", ".join(sorted(MESSAGE_TYPES))
        )
    if message_type not in MESSAGE_TYPES:
        raise MessageRejected(
            f"type: {message_type[:40]!r} is not one of " + ", ".join(sorted(MESSAGE_TYPES))
        )
    message["type"] = message_type

    name = message.get("event") if message_type == "track" else message.get("name")
    if message_type == "track" and (not isinstance(name, str) or not name.strip()):
        raise MessageRejected('event: a track call needs the event name, e.g. "Order Completed"')
    if name is not None and not isinstance(name, str):
        raise MessageRejected(f"name: expected a string, got {type(name).__name__}")

    for field in OBJECT_FIELDS:
        value = message.get(field)
        if value is None:
            message.pop(field, None)
        elif not isinstance(value, dict):
            raise MessageRejected(f"{field}: expected an object, got {type(value).__name__}")

    user_id = _as_id(message.get("userId"), "userId")
    anonymous_id = _as_id(message.get("anonymousId"), "anonymousId")
    if user_id is None and anonymous_id is None:
        raise MessageRejected("userId or anonymousId: one of them is required")
    message["userId"], message["anonymousId"] = user_id, anonymous_id

    message_id = _as_id(message.get("messageId"), "messageId") or str(uuid.uuid4())
    message["messageId"] = message_id

    stamps = {field: parse_timestamp(message.get(field), field) for field in TIMESTAMP_FIELDS}
    event_time = corrected_time(
        happened=stamps["timestamp"] or stamps["originalTimestamp"],
        sent=stamps["sentAt"] or batch_sent_at,
        received=received_at,
    )
    message["timestamp"] = event_time.isoformat()
    message["receivedAt"] = received_at.isoformat()

    encoded = _encoder.encode(message)
    # Its JSON opens fewer containers than the limit (nearly every message): no walk needed.
    # The message nests as deeply as `raw`: only top-level strings were set above.
    if (
        encoded.count(b"{") + encoded.count(b"[") > MAX_NESTING_DEPTH
        and nesting_depth(message) > MAX_NESTING_DEPTH
    ):
        raise MessageRejected(
            f"the message nests objects or arrays deeper than {MAX_NESTING_DEPTH} levels: "
            "flatten its properties"
        )
    if len(encoded) > MAX_EVENT_BYTES:
        raise MessageRejected(
            f"event over {MAX_EVENT_BYTES // 1024} KB: send fewer properties", too_large=True
        )
    return AcceptedMessage(
        message,
        message_id,
        message_type,
        name.strip() if isinstance(name, str) else None,
        event_time,
        received_at,
    )


def corrected_time(
    *, happened: datetime | None, sent: datetime | None, received: datetime
) -> datetime:
    """When the event happened, on our clock (Segment's rule: received - (sent - happened)).

    A device whose clock is hours off still produces the right event_time, and an event can
    never be dated in the future, which Pinterest rejects (pinterest-capi.md section 5.3).
    """
    if happened is None:
        return received
    if sent is not None:
        try:
            happened = received - (sent - happened)
        except OverflowError:
            raise MessageRejected(
                "timestamp and sentAt are too far apart to correct the clock: send the "
                "device's real times (ISO-8601, e.g. 2026-11-22T10:00:00Z)"
            ) from None
    return min(happened, received)
