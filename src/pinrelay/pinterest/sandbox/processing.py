"""Judge a parsed request body the way Pinterest does. Pure: no I/O, the time is passed in.

    schema or identity problem anywhere    400 {"code":1,"message":"Invalid request: ..."}
    each event: hash format, action_source, decimal strings, IP, empty event_id, event_time
        -> "failed" with an error_message; else "processed", with warnings for a missing
        external_id / click_id, an unknown event_name or undocumented user_data keys
    all processed -> 200; none -> 422 code 953 + details; mixed -> config.mixed_failure_status

With `test=true` only the first 20 events are judged; the rest come back "failed" with
TEST_MODE_NOT_PROCESSED, so `events` still mirrors `data` one to one (our choice: the live
answer for events past 20 is UNVERIFIED, section 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pinrelay.pinterest.model import (
    EVENT_NAMES,
    HASHED_USER_FIELDS,
    MAX_TEST_BATCH_EVENTS,
    PLAIN_USER_FIELDS,
    ConversionApiResponse,
    DetailedError,
    ErrorBody,
    EventStatus,
)
from pinrelay.pinterest.sandbox import messages
from pinrelay.pinterest.sandbox.config import SandboxConfig
from pinrelay.pinterest.validation import check_event_content, check_request, event_time_problem

_USER_DATA_KEYS = frozenset(HASHED_USER_FIELDS) | frozenset(PLAIN_USER_FIELDS)


@dataclass(frozen=True, slots=True)
class EventsAnswer:
    """The answer to one events request, and which events to record as processed."""

    status: int
    body: ErrorBody | DetailedError | ConversionApiResponse
    processed_events: tuple[Mapping[str, Any], ...] = ()
    event_count: int = 0
    failed_count: int = 0


def answer_events_request(
    payload: object, *, test: bool, now: float, config: SandboxConfig
) -> EventsAnswer:
    """The answer Pinterest would give to `payload` (already parsed JSON)."""
    rejecting = [
        problem for problem in check_request(payload) if problem.kind.rejects_whole_request
    ]
    if rejecting:
        reason = rejecting[0].schema_message or rejecting[0].detail
        return EventsAnswer(400, messages.invalid_request(reason))
    # check_request found an object whose "data" holds 1..1000 event objects
    events = cast(Sequence[Mapping[str, Any]], cast(Mapping[str, Any], payload)["data"])
    statuses = [
        _judge_event(event, index=index, test=test, now=now, config=config)
        for index, event in enumerate(events)
    ]
    processed = tuple(
        event
        for event, status in zip(events, statuses, strict=True)
        if status.status == "processed"
    )
    summary = ConversionApiResponse(
        num_events_received=len(events),
        num_events_processed=len(processed),
        events=statuses,
    )
    failed_count = len(events) - len(processed)
    if failed_count == 0:
        return EventsAnswer(200, summary, processed, len(events), 0)
    if processed and config.mixed_failure_status == 200:
        return EventsAnswer(200, summary, processed, len(events), failed_count)
    detailed = DetailedError(
        code=messages.INVALID_EVENTS_CODE,
        message=messages.INVALID_EVENTS_MESSAGE,
        details=summary,
    )
    return EventsAnswer(422, detailed, processed, len(events), failed_count)


def _judge_event(
    event: Mapping[str, Any], *, index: int, test: bool, now: float, config: SandboxConfig
) -> EventStatus:
    if test and index >= MAX_TEST_BATCH_EVENTS:
        return EventStatus(
            status="failed", error_message=messages.TEST_MODE_NOT_PROCESSED, warning_message=""
        )
    errors = messages.event_failure_messages(check_event_content(event), event)
    time_error = event_time_problem(
        event["event_time"],
        now,
        max_age_seconds=config.max_event_age_seconds,
        max_future_skew_seconds=config.max_future_skew_seconds,
    )
    if time_error is not None:
        errors.append(time_error)
    separator = messages.WARNING_SEPARATOR
    return EventStatus(
        status="failed" if errors else "processed",
        error_message=separator.join(errors),
        warning_message=separator.join(_warnings(event)),
    )


def _warnings(event: Mapping[str, Any]) -> list[str]:
    """The measured warnings, in the measured order (pinterest-capi.md sections 4.1, 2.3)."""
    user_data: Mapping[str, Any] = event["user_data"]
    warnings = []
    if not user_data.get("external_id"):
        warnings.append(messages.WARNING_EXTERNAL_ID_MISSING)
    if not user_data.get("click_id"):
        warnings.append(messages.WARNING_CLICK_ID_MISSING)
    if event["event_name"] not in EVENT_NAMES:
        warnings.append(messages.WARNING_UNKNOWN_EVENT_NAME)
    unknown_keys = [key for key in user_data if key not in _USER_DATA_KEYS]
    if unknown_keys:
        # Schema-legal (section 2.4); what Pinterest does with them is UNVERIFIED.
        warnings.append(messages.unknown_user_data_keys_warning(unknown_keys))
    return warnings
