"""From an error to the answer an HTTP caller gets: the one place that decides it.

Every app renders the same `ErrorAnswer` in its own medium: the admin API as
`{"error": {"status", "message", "details"?}}`, collect as the Segment-style body
(`{"success": false, "code", "message"}`, what Segment's SDKs read), the UI as an HTML page.
What status and what message an error gets is decided here, once:

- an `HTTPError` answers its status, its message and its details (written for the caller);
- any other `PinrelayError` answers its class's `status_code` (errors.py draws them);
  below 500 its message is the answer (it says what the caller sent wrong), from 500 on the
  message stays in our log and the caller gets a fixed sentence, because it can name our
  internals (a database host, a file path);
- anything else is a bug: 500, logged in one bounded line (errorguard.describe).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import structlog

from pinrelay.errorguard import describe
from pinrelay.errors import HTTPError, PinrelayError, StoreError, TooManyRequests

logger = structlog.get_logger(__name__)

INTERNAL_MESSAGE = "internal error; it has been logged"
STORE_UNAVAILABLE_MESSAGE = (
    "the database could not complete this request and nothing of it was saved: "
    "send it again in a moment"
)


@dataclass(frozen=True)
class ErrorAnswer:
    """What a caller is told: status, message, optional details, extra headers."""

    status: int
    message: str
    details: object | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


def answer_for(exc: BaseException, *, path: str = "") -> ErrorAnswer:
    """The answer for `exc`; a 5xx is logged here, with the request's path."""
    if isinstance(exc, HTTPError):
        headers: dict[str, str] = {}
        if isinstance(exc, TooManyRequests):
            headers["Retry-After"] = str(exc.retry_after_seconds)
        return ErrorAnswer(exc.status_code, exc.message, exc.details, headers)
    status = exc.status_code if isinstance(exc, PinrelayError) else 500
    if status < 500:
        return ErrorAnswer(status, str(exc))
    logger.error(
        "request failed", action=_action(exc), status=status, path=path[:100], **describe(exc)
    )
    if isinstance(exc, StoreError):
        return ErrorAnswer(status, STORE_UNAVAILABLE_MESSAGE)
    return ErrorAnswer(status, INTERNAL_MESSAGE)


def _action(exc: BaseException) -> str:
    if isinstance(exc, StoreError):
        return "http.store_unavailable"
    if isinstance(exc, PinrelayError):
        return "http.server_error"
    return "http.unexpected_error"


def admin_error_body(answer: ErrorAnswer) -> dict[str, Any]:
    """The admin API's error body (admin.schemas.ErrorOut documents it)."""
    error: dict[str, Any] = {"status": answer.status, "message": answer.message}
    if answer.details is not None:
        error["details"] = answer.details
    return {"error": error}


# Segment's error codes by status: `code` and `message` are what its SDKs read.
SEGMENT_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    413: "payload_too_large",
    429: "rate_limited",
    503: "unavailable",
}


def segment_error_body(status: int, message: str, **extra: Any) -> dict[str, Any]:
    """Collect's error body, in the shape of Segment's tracking API."""
    return {
        "success": False,
        "code": SEGMENT_CODES.get(status, "error"),
        "message": message,
        **extra,
    }
