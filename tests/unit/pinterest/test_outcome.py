"""interpret_response: every answer shape of pinterest-capi.md section 4, and what it means."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pinrelay.errors import (
    DeliveryError,
    IntegrationConfigError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from pinrelay.pinterest.outcome import (
    BatchResult,
    EventResult,
    RateLimitInfo,
    interpret_response,
    read_rate_limit,
)

from .helpers import AD_ACCOUNT_ID

MEASURED_HEADERS = {
    "x-ratelimit-limit": '120000, 120000;w=60;name="ads_conversions_ad_account_id"',
    "x-ratelimit-remaining": "119999",
    "x-ratelimit-reset": "58",
    "x-pinterest-rid": "rid-1",
}
PAST_MESSAGE = (
    "Invalid event_timestamp parameter. Given timestamp is in the past. "
    "Current timestamp: 1727469267, Given event_timestamp: 1678203524"
)


def interpret(
    status: int,
    body: object,
    *,
    sent: int = 1,
    headers: dict[str, str] | None = None,
) -> BatchResult:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return interpret_response(
        status=status,
        headers=MEASURED_HEADERS if headers is None else headers,
        body=raw,
        sent_count=sent,
        ad_account_id=AD_ACCOUNT_ID,
        latency_seconds=0.25,
    )


def summary(*events: dict[str, Any]) -> dict[str, Any]:
    processed = sum(1 for event in events if event["status"] == "processed")
    return {
        "num_events_received": len(events),
        "num_events_processed": processed,
        "events": list(events),
    }


# --- 200 -----------------------------------------------------------------------------------


def test_a_200_gives_one_result_per_event_in_order_with_the_answer_details() -> None:
    result = interpret(
        200,
        summary(
            {"status": "processed", "error_message": "", "warning_message": "click_id is missing"},
            {"status": "failed", "error_message": "Invalid em parameter.", "warning_message": ""},
        ),
        sent=2,
    )
    assert result.events == (
        EventResult("processed", None, "click_id is missing"),
        EventResult("failed", "Invalid em parameter.", None),
    )
    assert (result.http_status, result.latency_seconds, result.request_id) == (200, 0.25, "rid-1")
    assert (result.processed_count, result.failed_count) == (1, 1)
    assert result.error_code is None


@pytest.mark.parametrize(
    "event",
    [
        {"status": "processed", "error_message": "", "warning_message": ""},  # SDK tests
        {"status": "processed", "error_message": None, "warning_message": None},  # docs example
        {"status": "processed"},  # nulls omitted (schema standardisation, section 4.1)
    ],
)
def test_empty_null_and_missing_messages_all_read_as_none(event: dict[str, Any]) -> None:
    assert interpret(200, summary(event)).events == (EventResult("processed", None, None),)


@pytest.mark.parametrize(
    "body",
    [
        summary({"status": "processed"}, {"status": "processed"}),  # more results than sent
        {"num_events_received": 2, "num_events_processed": 1, "events": [{"status": "processed"}]},
    ],
)
def test_a_200_that_does_not_match_what_was_sent_is_ambiguous_so_transient(body: object) -> None:
    with pytest.raises(TransientDeliveryError, match="but 1 were sent"):
        interpret(200, body)


@pytest.mark.parametrize(
    "body",
    [b"", b"<html>oops</html>", b'{"num_events_received": 1}', b'{"events":[{"status":"ok"}]}'],
)
def test_an_unreadable_200_is_transient(body: bytes) -> None:
    with pytest.raises(TransientDeliveryError, match="unreadable answer"):
        interpret(200, body)


# --- 422 -----------------------------------------------------------------------------------


def test_a_422_is_read_per_event_from_its_details() -> None:
    observed = {  # Segment PR #2465 (section 4.2)
        "code": 953,
        "message": "The action could not be processed properly due to some or all data "
        "provided being invalid.",
        "details": summary(
            {"status": "failed", "error_message": PAST_MESSAGE, "warning_message": ""}
        ),
    }
    result = interpret(422, observed)
    assert result.events == (EventResult("failed", PAST_MESSAGE, None),)
    assert result.http_status == 422
    assert result.error_code == 953
    assert result.error_message is not None
    assert result.error_message.startswith("The action could not be processed")


def test_a_mixed_422_keeps_the_processed_events_processed() -> None:
    details = summary({"status": "processed"}, {"status": "failed", "error_message": "bad"})
    result = interpret(422, {"code": 953, "message": "m", "details": details}, sent=2)
    assert [event.processed for event in result.events] == [True, False]


def test_a_422_whose_details_do_not_match_what_was_sent_is_transient() -> None:
    details = summary({"status": "failed"})
    with pytest.raises(TransientDeliveryError):
        interpret(422, {"code": 953, "message": "m", "details": details}, sent=3)


def test_a_422_without_details_is_permanent() -> None:
    with pytest.raises(PermanentDeliveryError, match=r"HTTP 422, code 953: invalid"):
        interpret(422, {"code": 953, "message": "invalid"})


def test_a_422_with_a_garbage_body_is_transient() -> None:
    with pytest.raises(TransientDeliveryError):
        interpret(422, b"<html>bad gateway</html>")


# --- whole-request errors ------------------------------------------------------------------


def test_a_400_is_permanent_and_carries_pinterests_code_and_message() -> None:
    body = {
        "code": 1,
        "message": "Invalid request: Additional properties are not allowed "
        "('category_name' was unexpected)",
    }
    with pytest.raises(PermanentDeliveryError) as caught:
        interpret(400, body)
    assert not isinstance(caught.value, IntegrationConfigError)
    assert str(caught.value) == (
        "Pinterest rejected the whole request (HTTP 400, code 1: Invalid request: "
        "Additional properties are not allowed ('category_name' was unexpected))"
    )


def test_a_401_says_to_generate_a_new_conversion_token() -> None:
    body = {"code": 2, "message": "Authentication failed.", "status": "failure"}
    with pytest.raises(IntegrationConfigError) as caught:
        interpret(401, body)
    assert str(caught.value) == (
        "conversion token rejected (HTTP 401, code 2: Authentication failed.): generate a new "
        "conversion token in Ads Manager > Conversions and update the integration"
    )


def test_a_401_for_missing_scopes_says_which_scope() -> None:
    with pytest.raises(IntegrationConfigError, match="ads:write"):
        interpret(401, {"code": 3, "message": "Your token does not have sufficient permissions"})


def test_a_401_with_an_unreadable_body_still_pauses_the_integration() -> None:
    with pytest.raises(IntegrationConfigError, match=r"conversion token rejected \(HTTP 401"):
        interpret(401, b"Unauthorized")


def test_a_403_says_the_tokens_user_has_no_access_to_this_ad_account() -> None:
    body = {"code": 29, "message": "You are not permitted to access that resource."}
    with pytest.raises(IntegrationConfigError) as caught:
        interpret(403, body)
    message = str(caught.value)
    assert message.startswith(f"the conversion token has no access to ad account {AD_ACCOUNT_ID}")
    assert "code 29" in message
    assert "Business Access role" in message


def test_a_404_says_to_use_the_ad_account_id_not_the_tag_id() -> None:
    with pytest.raises(IntegrationConfigError) as caught:
        interpret(404, {"code": 2, "message": "AdAccount not found."})
    assert str(caught.value) == (
        f"ad account {AD_ACCOUNT_ID} not found (HTTP 404, code 2: AdAccount not found.): check "
        "it is the numeric Ad Account ID from Ads Manager, not the Tag ID"
    )


# --- retryable -----------------------------------------------------------------------------


def test_a_429_is_transient_and_retries_after_x_ratelimit_reset() -> None:
    with pytest.raises(TransientDeliveryError) as caught:
        interpret(429, {"code": 8, "message": "This request exceeded a rate limit."})
    assert caught.value.retry_after_seconds == 58.0
    assert "code 8" in str(caught.value)


def test_a_429_without_x_ratelimit_reset_ignores_retry_after() -> None:
    with pytest.raises(TransientDeliveryError) as caught:
        interpret(429, {"code": 8, "message": "m"}, headers={"retry-after": "5"})
    assert caught.value.retry_after_seconds is None


@pytest.mark.parametrize(
    ("status", "body", "quoted"),
    [
        (500, {"code": 500, "message": "Unexpected error"}, "code 500: Unexpected error"),
        (502, b"<html><h1>502 Bad Gateway</h1></html>", "502 Bad Gateway"),
        (503, {"code": 4197, "message": "The endpoint has been ramped down"}, "code 4197"),
        (504, b"", "HTTP 504"),
        (408, b"", "HTTP 408"),
    ],
)
def test_server_errors_and_timeouts_are_transient(status: int, body: object, quoted: str) -> None:
    with pytest.raises(TransientDeliveryError) as caught:
        interpret(status, body)
    assert quoted in str(caught.value)
    assert caught.value.retry_after_seconds is None


@pytest.mark.parametrize("status", [405, 409, 413, 415, 418])
def test_other_client_errors_are_permanent(status: int) -> None:
    with pytest.raises(PermanentDeliveryError, match=f"HTTP {status}"):
        interpret(status, {"code": 1, "message": "no"})


def test_every_status_maps_to_a_result_or_a_delivery_error() -> None:
    answer = summary({"status": "processed"})
    body = {"code": 1, "message": "m", "details": answer, **answer}  # readable as any shape
    outcomes: dict[int, str] = {}
    for status in range(100, 600):
        try:
            interpret(status, body)
        except DeliveryError as error:
            outcomes[status] = type(error).__name__
        else:
            outcomes[status] = "BatchResult"
    assert [s for s, outcome in outcomes.items() if outcome == "BatchResult"] == [200, 422]
    assert {outcomes[s] for s in (401, 403, 404)} == {"IntegrationConfigError"}
    transient = [s for s, outcome in outcomes.items() if outcome == "TransientDeliveryError"]
    assert transient == [408, 429, *range(500, 600)]


def test_long_garbage_bodies_are_quoted_short_and_printable() -> None:
    with pytest.raises(TransientDeliveryError) as caught:
        interpret(502, b"\x00\x1b[31m" + b"x" * 5000)
    message = str(caught.value)
    assert len(message) < 300
    assert "\x1b" not in message
    assert message.endswith("…')")


# --- rate-limit headers --------------------------------------------------------------------


def test_the_measured_rate_limit_headers_are_read() -> None:
    assert read_rate_limit(MEASURED_HEADERS) == RateLimitInfo(
        limit=120000,
        remaining=119999,
        reset_seconds=58.0,
        policy='120000, 120000;w=60;name="ads_conversions_ad_account_id"',
    )


def test_a_multi_window_limit_reads_the_first_window() -> None:
    info = read_rate_limit({"x-ratelimit-limit": "100, 100;w=1, 1000;w=60"})
    assert info.limit == 100


def test_absent_or_garbled_rate_limit_headers_read_as_none() -> None:
    assert read_rate_limit({"x-ratelimit-remaining": "lots", "x-ratelimit-reset": ""}) == (
        RateLimitInfo(None, None, None, None)
    )
