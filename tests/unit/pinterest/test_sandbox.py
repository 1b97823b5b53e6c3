"""The sandbox answers like Pinterest's events endpoint (pinterest-capi.md 2, 4, 5.3, 6)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from pinrelay.pinterest.sandbox import SandboxConfig, create_sandbox_app
from pinrelay.pinterest.sandbox.messages import TEST_MODE_NOT_PROCESSED

from .helpers import AD_ACCOUNT_ID, EMAIL_HASH, NOW, OTHER_AD_ACCOUNT_ID, TOKEN, make_event

pytestmark = pytest.mark.anyio

CODE_953 = {
    "code": 953,
    "message": "The action could not be processed properly due to some or all data provided "
    "being invalid.",
}
CLEAN = {"status": "processed", "error_message": "", "warning_message": ""}


async def post_events(
    http: httpx.AsyncClient,
    events: list[dict[str, Any]],
    *,
    token: str = TOKEN,
    ad_account_id: str = AD_ACCOUNT_ID,
    test: bool = False,
) -> httpx.Response:
    return await http.post(
        f"/v5/ad_accounts/{ad_account_id}/events",
        params={"test": "true"} if test else None,
        json={"data": events},
        headers={"Authorization": f"Bearer {token}"},
    )


def only_event(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    details = body["details"] if response.status_code == 422 else body
    [event] = details["events"]
    assert isinstance(event, dict)
    return event


# --- routes and authentication ----------------------------------------------------------------


async def test_a_fully_matched_event_is_processed_without_messages(
    http: httpx.AsyncClient,
) -> None:
    response = await post_events(http, [make_event()])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "num_events_received": 1,
        "num_events_processed": 1,
        "events": [CLEAN],
    }


async def test_only_post_is_allowed(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/v5/ad_accounts/{AD_ACCOUNT_ID}/events")
    assert response.status_code == 405
    assert response.json()["message"] == "Method Not Allowed"


async def test_unknown_paths_answer_in_the_error_shape(http: httpx.AsyncClient) -> None:
    response = await http.post("/v5/ad_accounts/1/conversions")
    assert (response.status_code, response.json()["message"]) == (404, "Not Found")


async def test_the_health_route_answers(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer pina_nope"},
    ],
)
async def test_a_missing_or_unknown_token_gets_401_code_2(
    http: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await http.post(
        f"/v5/ad_accounts/{AD_ACCOUNT_ID}/events", json={"data": [make_event()]}, headers=headers
    )
    assert response.status_code == 401
    assert response.json() == {"code": 2, "message": "Authentication failed."}


async def test_a_known_token_without_access_to_the_ad_account_gets_403_code_29(
    http: httpx.AsyncClient,
) -> None:
    response = await post_events(http, [make_event()], ad_account_id=OTHER_AD_ACCOUNT_ID)
    assert response.status_code == 403
    assert response.json() == {
        "code": 29,
        "message": "You are not permitted to access that resource.",
    }


async def test_a_configured_missing_ad_account_gets_404(http: httpx.AsyncClient) -> None:
    response = await post_events(
        http, [make_event()], token="pina_sandbox_token", ad_account_id="404404404"
    )
    assert response.status_code == 404
    assert response.json() == {"code": 2, "message": "AdAccount not found."}


@pytest.mark.parametrize(
    ("ad_account_id", "rule"),
    [
        ("act_123", r"must match the pattern: ^\d+$"),
        ("9" * 19, "must be at most 18 characters long"),
    ],
)
async def test_a_malformed_ad_account_id_gets_400_naming_the_rule(
    http: httpx.AsyncClient, ad_account_id: str, rule: str
) -> None:
    response = await post_events(
        http, [make_event()], token="pina_sandbox_token", ad_account_id=ad_account_id
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": 1,
        "message": f"'ad_account_id' value '{ad_account_id}' {rule}",
    }


async def test_the_demo_token_works_for_any_ad_account_out_of_the_box() -> None:
    transport = httpx.ASGITransport(app=create_sandbox_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        event = make_event(event_time=int(time.time()))  # the default config uses the real clock
        response = await post_events(http, [event], token="pina_sandbox_token")
    assert response.status_code == 200


# --- the request body ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("text/plain", b'{"data":[]}', "Invalid request: Content-Type must be application/json"),
        (None, b'{"data":[]}', "Invalid request: Content-Type must be application/json"),
        ("application/json", b"{data:", "Invalid request: the request body is not valid JSON"),
        ("application/json", b"", "Invalid request: the request body is required"),
    ],
)
async def test_a_body_that_is_not_json_gets_400(
    http: httpx.AsyncClient, content_type: str | None, body: bytes, message: str
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if content_type:
        headers["Content-Type"] = content_type
    response = await http.post(
        f"/v5/ad_accounts/{AD_ACCOUNT_ID}/events", content=body, headers=headers
    )
    assert response.status_code == 400
    assert response.json() == {"code": 1, "message": message}


async def test_json_with_a_charset_is_json(http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"/v5/ad_accounts/{AD_ACCOUNT_ID}/events",
        json={"data": [make_event()]},
        headers={
            "Authorization": f"Bearer {TOKEN}",
            "Content-Type": "application/json; charset=utf-8",
        },
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda e: e["custom_data"].update(category_name="shirts"),
            "Additional properties are not allowed ('category_name' was unexpected)",  # observed
        ),
        (lambda e: e["custom_data"].update(value=72.39), "72.39 is not of type 'string', 'null'"),
        (lambda e: e.pop("event_id"), "'event_id' is a required property"),
        (lambda e: e.update(event_time="1790000000"), "'…' is not of type 'integer'"),
        (lambda e: e["user_data"].update(em="x@y.z"), "'…' is not of type 'array'"),
        (
            lambda e: e.update(user_data={"ph": [EMAIL_HASH]}),
            "{…} is not valid under any of the given schemas",
        ),
        (
            lambda e: e.update(device_info={"battery_level": 101}),
            "101 is greater than the maximum of 100",
        ),
    ],
)
async def test_schema_violations_reject_the_whole_request_with_400(
    http: httpx.AsyncClient, mutate: Any, message: str
) -> None:
    bad = make_event(event_id="bad")
    mutate(bad)
    response = await post_events(http, [make_event(), bad])
    assert response.status_code == 400
    assert response.json() == {"code": 1, "message": f"Invalid request: {message}"}
    assert (await http.get("/_sandbox/events")).json() == []  # nothing of it was processed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"data": []}, "[] should be non-empty"),
        ({"data": [make_event()] * 1001}, "[…] is too long"),
        (
            {"data": [make_event()], "test": True},
            "Additional properties are not allowed ('test' was unexpected)",
        ),
        (
            {"events": [make_event()]},
            "Additional properties are not allowed ('events' was unexpected)",
        ),
    ],
)
async def test_data_must_hold_1_to_1000_events_and_nothing_else(
    http: httpx.AsyncClient, body: dict[str, Any], message: str
) -> None:
    response = await http.post(
        f"/v5/ad_accounts/{AD_ACCOUNT_ID}/events",
        json=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 400
    assert response.json()["message"] == f"Invalid request: {message}"


# --- per-event verdicts ------------------------------------------------------------------------


async def test_an_unhashed_email_fails_the_event_and_a_batch_of_failures_is_422(
    http: httpx.AsyncClient,
) -> None:
    event = make_event()
    event["user_data"]["em"] = ["test_non_hashed_email@pinterest.com"]  # the SDK's test (S2)
    response = await post_events(http, [event])
    assert response.status_code == 422
    body = response.json()
    assert {key: body[key] for key in ("code", "message")} == CODE_953
    assert body["details"] == {
        "num_events_received": 1,
        "num_events_processed": 0,
        "events": [
            {
                "status": "failed",
                "error_message": "Invalid em parameter. Values must be SHA-256 hashes "
                "(64 lowercase hexadecimal characters).",
                "warning_message": "",
            }
        ],
    }


async def test_an_event_older_than_7_days_fails_with_the_observed_message(
    http: httpx.AsyncClient,
) -> None:
    old = NOW - 7 * 86400 - 1
    response = await post_events(http, [make_event(event_time=old)])
    assert only_event(response)["error_message"] == (
        "Invalid event_timestamp parameter. Given timestamp is in the past. "
        f"Current timestamp: {NOW}, Given event_timestamp: {old}"
    )


async def test_an_event_in_the_future_fails(http: httpx.AsyncClient) -> None:
    response = await post_events(http, [make_event(event_time=NOW + 3600)])
    assert "Given timestamp is in the future" in only_event(response)["error_message"]


async def test_a_minute_of_clock_skew_is_tolerated(http: httpx.AsyncClient) -> None:
    response = await post_events(http, [make_event(event_time=NOW + 60)])
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"action_source": "website"},
            "Invalid action_source: website. Use a supported action_source "
            "(app_android, app_ios, web, offline).",
        ),
        ({"event_id": ""}, "Invalid event_id parameter. It must not be empty."),
    ],
)
async def test_other_bad_values_fail_the_event(
    http: httpx.AsyncClient, change: dict[str, Any], message: str
) -> None:
    response = await post_events(http, [make_event(**change)])
    assert only_event(response)["error_message"] == message


async def test_several_reasons_are_joined_in_one_error_message(http: httpx.AsyncClient) -> None:
    event = make_event(action_source="website", event_time=NOW - 30 * 86400)
    event["user_data"]["em"] = ["a@b.c", "d@e.f"]
    message = only_event(await post_events(http, [event]))["error_message"]
    parts = message.split(" ; ")
    assert [part.split(" ", 2)[1] for part in parts] == ["em", "action_source:", "event_timestamp"]


async def test_missing_external_id_and_click_id_draw_the_measured_warning(
    http: httpx.AsyncClient,
) -> None:
    event = make_event(user_data={"em": [EMAIL_HASH]})
    assert only_event(await post_events(http, [event])) == {
        "status": "processed",
        "error_message": "",
        "warning_message": "external_id is missing. We highly recommend this on all events. "
        "; click_id is missing",
    }


async def test_an_unknown_event_name_is_processed_as_unknown(http: httpx.AsyncClient) -> None:
    result = only_event(await post_events(http, [make_event(event_name="subscription")]))
    assert result["status"] == "processed"
    assert result["warning_message"] == (
        "This event has a non-standard name and is currently being labeled as an 'Unknown' event."
    )


async def test_undocumented_user_data_keys_are_schema_legal_and_draw_a_warning(
    http: httpx.AsyncClient,
) -> None:
    event = make_event()
    event["user_data"]["customer_type"] = "new"
    result = only_event(await post_events(http, [event]))
    assert result["status"] == "processed"
    assert result["warning_message"] == "Unknown user_data fields were ignored: customer_type."


async def test_a_repeated_event_id_is_processed_again(http: httpx.AsyncClient) -> None:
    # Deduplication happens in Pinterest's reporting, not in the answer (section 5.1).
    response = await post_events(http, [make_event(), make_event()])
    assert response.json()["num_events_processed"] == 2


async def test_a_mixed_batch_is_422_by_default_with_every_verdict(
    http: httpx.AsyncClient,
) -> None:
    response = await post_events(http, [make_event(), make_event(action_source="website")])
    assert response.status_code == 422
    details = response.json()["details"]
    assert (details["num_events_received"], details["num_events_processed"]) == (2, 1)
    assert [event["status"] for event in details["events"]] == ["processed", "failed"]
    assert len((await http.get("/_sandbox/events")).json()) == 1


async def test_a_mixed_batch_can_be_configured_to_answer_200(clock: Any) -> None:
    config = SandboxConfig(tokens={TOKEN: {"*"}}, mixed_failure_status=200, clock=clock)
    transport = httpx.ASGITransport(app=create_sandbox_app(config))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        response = await post_events(http, [make_event(), make_event(action_source="website")])
    assert response.status_code == 200
    assert response.json()["num_events_processed"] == 1


# --- test mode --------------------------------------------------------------------------------


async def test_test_mode_answers_the_same_and_records_events_as_test(
    http: httpx.AsyncClient,
) -> None:
    response = await post_events(http, [make_event()], test=True)
    assert response.json()["events"] == [CLEAN]
    [recorded] = (await http.get("/_sandbox/events")).json()
    assert recorded["test"] is True


async def test_test_mode_processes_only_the_first_20_events(
    http: httpx.AsyncClient, sandbox: Starlette
) -> None:
    events = [make_event(event_id=f"e{i}") for i in range(25)]
    response = await post_events(http, events, test=True)
    details = response.json()["details"]
    assert response.status_code == 422
    assert details["num_events_received"] == 25
    assert details["num_events_processed"] == 20
    assert [event["status"] for event in details["events"][20:]] == ["failed"] * 5
    assert {event["error_message"] for event in details["events"][20:]} == {TEST_MODE_NOT_PROCESSED}
    assert len(sandbox.state.sandbox.recorder.events(test=True)) == 20
