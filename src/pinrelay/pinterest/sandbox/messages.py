"""What the sandbox says, in Pinterest's words where they are known.

Known (spec examples or observed; pinterest-capi.md sections 4.3, 4.2, 5.3, 2.3, 4.1): the 401,
403, 404, 429, 503 and 422 bodies, the "in the past" event_time message, the measured warnings.
The measured warnings were shortened with "…" in their source, so only their known words are
used. Everything else here is our own wording in Pinterest's style and is UNVERIFIED: the code
and text of 400s other than "Additional properties", per-event errors other than event_time,
and the future-time message (validation.event_time_problem).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pinrelay.pinterest.model import AD_ACCOUNT_ID_MAX_LENGTH, AD_ACCOUNT_ID_PATTERN, ErrorBody
from pinrelay.pinterest.problems import Problem, ProblemKind

AUTHENTICATION_FAILED = ErrorBody(code=2, message="Authentication failed.")
NOT_PERMITTED = ErrorBody(code=29, message="You are not permitted to access that resource.")
AD_ACCOUNT_NOT_FOUND = ErrorBody(code=2, message="AdAccount not found.")
RATE_LIMITED = ErrorBody(
    code=8,
    message="This request exceeded a rate limit. This can happen if the client exceeds one\n"
    "of the published rate limits within a short time window.",  # the "\n" is in the spec
)
RAMPED_DOWN = ErrorBody(
    code=4197,
    message="The endpoint has been ramped down and is currently not accepting any traffic.",
)
INVALID_EVENTS_CODE = 953
INVALID_EVENTS_MESSAGE = (
    "The action could not be processed properly due to some or all data provided being invalid."
)
INVALID_REQUEST_CODE = 1  # the code of schema errors on other v5 endpoints (section 2.6)

WARNING_SEPARATOR = " ; "  # as in the measured "… ; click_id is missing"
WARNING_EXTERNAL_ID_MISSING = "external_id is missing. We highly recommend this on all events."
WARNING_CLICK_ID_MISSING = "click_id is missing"
WARNING_UNKNOWN_EVENT_NAME = (
    "This event has a non-standard name and is currently being labeled as an 'Unknown' event."
)
TEST_MODE_NOT_PROCESSED = (
    "Not processed: a test request processes only its first 20 events. "
    "Send at most 20 events per request with test=true."
)


def invalid_request(reason: str) -> ErrorBody:
    """A 400 in the observed form `Invalid request: <jsonschema message>` (section 2.6)."""
    return ErrorBody(code=INVALID_REQUEST_CODE, message=f"Invalid request: {reason}")


def invalid_ad_account_id(ad_account_id: str) -> ErrorBody:
    """Styled on the spec's `'feed_id' value '…' must match the pattern: ^\\d+$` example."""
    shown = ad_account_id if len(ad_account_id) <= 40 else ad_account_id[:40] + "…"
    if (
        len(ad_account_id) > AD_ACCOUNT_ID_MAX_LENGTH
        and ad_account_id.isascii()
        and ad_account_id.isdigit()
    ):
        rule = f"must be at most {AD_ACCOUNT_ID_MAX_LENGTH} characters long"
    else:
        rule = f"must match the pattern: {AD_ACCOUNT_ID_PATTERN}"
    return ErrorBody(code=INVALID_REQUEST_CODE, message=f"'ad_account_id' value '{shown}' {rule}")


def unknown_user_data_keys_warning(keys: Iterable[str]) -> str:
    return f"Unknown user_data fields were ignored: {', '.join(sorted(keys))}."


def event_failure_messages(problems: Iterable[Problem], event: Mapping[str, Any]) -> list[str]:
    """One failure message per failing field, in the order found."""
    messages: dict[str, None] = {}  # an ordered set: em[0] and em[1] give one message
    for problem in problems:
        message = _failure_message(problem, event)
        if message is not None:
            messages[message] = None
    return list(messages)


def _failure_message(problem: Problem, event: Mapping[str, Any]) -> str | None:
    field = problem.field_name
    if problem.kind is ProblemKind.HASHED_VALUE:
        # The SDK's test expects a raw email to fail (section 2.4); the wording is ours.
        return (
            f"Invalid {field} parameter. Values must be SHA-256 hashes "
            "(64 lowercase hexadecimal characters)."
        )
    if problem.kind is ProblemKind.ACTION_SOURCE:
        value = str(event.get("action_source"))[:32]
        return (
            f"Invalid action_source: {value}. Use a supported action_source "
            "(app_android, app_ios, web, offline)."
        )
    if problem.kind is ProblemKind.DECIMAL_STRING:
        return f'Invalid {field} parameter. It must be a number in a string, like "72.39".'
    if problem.kind is ProblemKind.IP_ADDRESS:
        return (
            "Invalid client_ip_address parameter. It must be a valid IPv4 or IPv6 address "
            "other than 0.0.0.0."
        )
    if problem.kind is ProblemKind.EVENT_ID:
        return "Invalid event_id parameter. It must not be empty."
    return None  # event_time: event_time_problem speaks; user_data keys: a warning
