"""What a Pinterest answer means for a batch: the ONE place that maps status to outcome.

    HTTP answer                          outcome (pinterest-capi.md section 4)
    200 + one status per event           BatchResult (each event processed or failed)
    422 + details (same shape as 200)    BatchResult, with the top-level code and message
    200/422 unreadable or wrong count    TransientDeliveryError (ambiguous: retry, event_id dedups)
    422 without details                  PermanentDeliveryError
    400                                  PermanentDeliveryError with Pinterest's code and message
    401 / 403 / 404                      IntegrationConfigError saying what to fix
    408, 429, 5xx                        TransientDeliveryError (429: retry after X-RateLimit-Reset)
    any other status                     PermanentDeliveryError

A 200 is never "all good": it can carry failed events (section 4.2).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

import msgspec

from pinrelay.errors import (
    DeliveryError,
    IntegrationConfigError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from pinrelay.pinterest.model import ConversionApiResponse, DetailedError, ErrorBody

T = TypeVar("T")
_LEADING_INT = re.compile(r"\s*(\d+)")
_MAX_QUOTED_BODY_CHARS = 200


@dataclass(frozen=True, slots=True)
class RateLimitInfo:
    """The X-RateLimit-* headers of an answer (measured form in section 4.4)."""

    limit: int | None  # requests per window: the first number of X-RateLimit-Limit
    remaining: int | None
    reset_seconds: float | None  # seconds until the window resets
    policy: str | None  # X-RateLimit-Limit as sent, e.g. '120000, 120000;w=60;name="..."'


@dataclass(frozen=True, slots=True)
class EventResult:
    """Pinterest's verdict on one event; `""`, null and a missing message all read as None."""

    status: Literal["processed", "failed"]
    error_message: str | None = None
    warning_message: str | None = None

    @property
    def processed(self) -> bool:
        return self.status == "processed"


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One event result per sent event, in request order, plus what the answer told us."""

    events: tuple[EventResult, ...]
    http_status: int
    latency_seconds: float
    rate_limit: RateLimitInfo
    request_id: str | None = None  # x-pinterest-rid, for support tickets
    error_code: int | None = None  # a 422's top-level code (953 observed)
    error_message: str | None = None  # a 422's top-level message

    @property
    def processed_count(self) -> int:
        return sum(1 for event in self.events if event.processed)

    @property
    def failed_count(self) -> int:
        return len(self.events) - self.processed_count


def read_rate_limit(headers: Mapping[str, str]) -> RateLimitInfo:
    """Read the rate-limit headers; absent or garbled values read as None."""
    policy = headers.get("x-ratelimit-limit")
    reset = _leading_int(headers.get("x-ratelimit-reset"))
    return RateLimitInfo(
        limit=_leading_int(policy),
        remaining=_leading_int(headers.get("x-ratelimit-remaining")),
        reset_seconds=float(reset) if reset is not None else None,
        policy=policy,
    )


def interpret_response(
    *,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    sent_count: int,
    ad_account_id: str,
    latency_seconds: float,
) -> BatchResult:
    """Turn one answer into a BatchResult, or raise the DeliveryError it amounts to."""
    try:
        return _interpret(status, headers, body, sent_count, ad_account_id, latency_seconds)
    except DeliveryError as exc:
        exc.http_status = status  # for the delivery log
        raise


def _interpret(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    sent_count: int,
    ad_account_id: str,
    latency_seconds: float,
) -> BatchResult:
    rate_limit = read_rate_limit(headers)
    where = f"HTTP {status}"
    if status == 200:
        answer = _decode(body, ConversionApiResponse, where)
        return _batch_result(answer, status, sent_count, latency_seconds, rate_limit, headers)
    if status == 422:
        detailed = _decode_optional(body, DetailedError)
        if detailed is not None:
            result = _batch_result(
                detailed.details, status, sent_count, latency_seconds, rate_limit, headers
            )
            code, message = detailed.code, _text(detailed.message)
            return _with_error(result, code, message)
        _decode(body, ErrorBody, where)  # garbage (not even an Error body) is transient
        raise PermanentDeliveryError(
            f"Pinterest rejected the batch without per-event details ({_explain(status, body)})"
        )
    explained = _explain(status, body)
    if status == 400:
        raise PermanentDeliveryError(f"Pinterest rejected the whole request ({explained})")
    if status == 401:
        raise IntegrationConfigError(_unauthorized_message(explained, _error_code(body)))
    if status == 403:
        raise IntegrationConfigError(
            f"the conversion token has no access to ad account {ad_account_id} ({explained}): "
            "its user must own the ad account or hold a Business Access role on it (Admin, "
            "Analyst, Audience or Campaign); check the ad account id, or generate the token "
            "as a user with access"
        )
    if status == 404:
        raise IntegrationConfigError(
            f"ad account {ad_account_id} not found ({explained}): check it is the numeric "
            "Ad Account ID from Ads Manager, not the Tag ID"
        )
    if status == 429:
        raise TransientDeliveryError(
            f"rate limited by Pinterest ({explained}); retry after X-RateLimit-Reset",
            retry_after_seconds=rate_limit.reset_seconds,  # never Retry-After (section 4.4)
        )
    if status == 408 or status >= 500:
        raise TransientDeliveryError(f"Pinterest is unavailable ({explained})")
    raise PermanentDeliveryError(f"unexpected answer from Pinterest ({explained})")


def _batch_result(
    answer: ConversionApiResponse,
    status: int,
    sent_count: int,
    latency_seconds: float,
    rate_limit: RateLimitInfo,
    headers: Mapping[str, str],
) -> BatchResult:
    if len(answer.events) != sent_count or answer.num_events_received != sent_count:
        # We cannot tell which verdict belongs to which event: retry; event_id deduplicates.
        raise TransientDeliveryError(
            f"Pinterest answered HTTP {status} for {len(answer.events)} events "
            f"(num_events_received={answer.num_events_received}) but {sent_count} were sent"
        )
    # Most events of a batch share one verdict (the same warnings): build each distinct
    # EventResult once; they are immutable, so sharing them is safe (delivery hot path).
    distinct: dict[tuple[str, str | None, str | None], EventResult] = {}
    results = []
    for event in answer.events:
        key = (event.status, event.error_message, event.warning_message)
        result = distinct.get(key)
        if result is None:
            error, warning = _text(event.error_message), _text(event.warning_message)
            result = distinct[key] = EventResult(event.status, error, warning)
        results.append(result)
    events = tuple(results)
    return BatchResult(
        events=events,
        http_status=status,
        latency_seconds=latency_seconds,
        rate_limit=rate_limit,
        request_id=headers.get("x-pinterest-rid"),
    )


def _with_error(result: BatchResult, code: int, message: str | None) -> BatchResult:
    return BatchResult(
        events=result.events,
        http_status=result.http_status,
        latency_seconds=result.latency_seconds,
        rate_limit=result.rate_limit,
        request_id=result.request_id,
        error_code=code,
        error_message=message,
    )


def _decode(body: bytes, shape: type[T], where: str) -> T:
    try:
        return msgspec.json.decode(body, type=shape)
    except msgspec.DecodeError:
        raise TransientDeliveryError(
            f"unreadable answer from Pinterest ({where}, body {_quote(body)})"
        ) from None


def _decode_optional(body: bytes, shape: type[T]) -> T | None:
    try:
        return msgspec.json.decode(body, type=shape)
    except msgspec.DecodeError:
        return None


def _explain(status: int, body: bytes) -> str:
    """`HTTP 400, code 1: Invalid request: ...`, or the start of a body that is not an Error."""
    error = _decode_optional(body, ErrorBody)
    if error is not None:
        return f"HTTP {status}, code {error.code}: {error.message}"
    return f"HTTP {status}, body {_quote(body)}" if body.strip() else f"HTTP {status}"


def _error_code(body: bytes) -> int | None:
    error = _decode_optional(body, ErrorBody)
    return error.code if error is not None else None


def _unauthorized_message(explained: str, code: int | None) -> str:
    if code == 3:  # "token does not have sufficient permissions... scopes" (section 4.3)
        return (
            f"token rejected for missing scopes ({explained}): use a conversion token, or an "
            "OAuth token with the ads:write scope"
        )
    return (
        f"conversion token rejected ({explained}): generate a new conversion token in "
        "Ads Manager > Conversions and update the integration"
    )


def _text(value: str | None) -> str | None:
    return value or None


def _leading_int(value: str | None) -> int | None:
    match = _LEADING_INT.match(value) if value else None
    return int(match.group(1)) if match else None


def _quote(body: bytes) -> str:
    text = body[:_MAX_QUOTED_BODY_CHARS].decode("utf-8", errors="replace")
    text = "".join(char if char.isprintable() else " " for char in text).strip()
    suffix = "…" if len(body) > _MAX_QUOTED_BODY_CHARS else ""
    return repr(text + suffix)
