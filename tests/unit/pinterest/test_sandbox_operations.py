"""The sandbox's own machinery: rate limit, inspection routes, fault injection, bounds, config."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from pinrelay.errors import ConfigError
from pinrelay.pinterest.sandbox import SandboxConfig, create_sandbox_app
from pinrelay.pinterest.sandbox.config import mask_token
from pinrelay.pinterest.sandbox.ratelimit import FixedWindowRateLimiter

from .helpers import AD_ACCOUNT_ID, OTHER_AD_ACCOUNT_ID, TOKEN, FakeClock, make_event
from .test_sandbox import post_events

pytestmark = pytest.mark.anyio

MEASURED_LIMIT = '120000, 120000;w=60;name="ads_conversions_ad_account_id"'


def sandbox_client(**config: Any) -> httpx.AsyncClient:
    settings: dict[str, Any] = {"tokens": {TOKEN: {"*"}}, "clock": FakeClock()} | config
    transport = httpx.ASGITransport(app=create_sandbox_app(SandboxConfig(**settings)))
    return httpx.AsyncClient(transport=transport, base_url="http://sandbox")


# --- rate limit (section 4.4) -----------------------------------------------------------------


async def test_every_answer_carries_rate_limit_headers_and_a_request_id(
    http: httpx.AsyncClient,
) -> None:
    answers = [
        await post_events(http, [make_event()]),  # 200
        await post_events(http, [make_event()], token="pina_nope"),  # 401
        await post_events(http, [make_event()], ad_account_id=OTHER_AD_ACCOUNT_ID),  # 403
        await post_events(http, []),  # 400
        await post_events(http, [make_event(action_source="website")]),  # 422
    ]
    assert [answer.status_code for answer in answers] == [200, 401, 403, 400, 422]
    for answer in answers:
        assert answer.headers["x-ratelimit-limit"] == MEASURED_LIMIT
        assert int(answer.headers["x-ratelimit-remaining"]) >= 0
        assert 0 <= int(answer.headers["x-ratelimit-reset"]) <= 60
        assert len(answer.headers["x-pinterest-rid"]) == 16
    assert len({answer.headers["x-pinterest-rid"] for answer in answers}) == len(answers)


async def test_remaining_counts_down_and_reset_counts_to_the_window_end(
    http: httpx.AsyncClient, clock: FakeClock
) -> None:
    seen = []
    for wait in (0, 2, 3):
        clock.advance(wait)
        answer = await post_events(http, [make_event()])
        seen.append((answer.headers["x-ratelimit-remaining"], answer.headers["x-ratelimit-reset"]))
    assert seen == [("119999", "60"), ("119998", "58"), ("119997", "55")]


async def test_rejected_credentials_do_not_use_up_the_limit(http: httpx.AsyncClient) -> None:
    await post_events(http, [make_event()], token="pina_nope")
    answer = await post_events(http, [make_event()])
    assert answer.headers["x-ratelimit-remaining"] == "119999"


async def test_over_the_limit_answers_429_code_8_until_the_window_ends() -> None:
    clock = FakeClock()
    async with sandbox_client(rate_limit_per_minute=2, clock=clock) as http:
        statuses = [(await post_events(http, [make_event()])).status_code for _ in range(3)]
        refused = await post_events(http, [make_event()])
        other_account = await post_events(http, [make_event()], ad_account_id=OTHER_AD_ACCOUNT_ID)
        clock.advance(60)
        again = await post_events(http, [make_event()])
    assert statuses == [200, 200, 429]
    assert refused.json() == {
        "code": 8,
        "message": "This request exceeded a rate limit. This can happen if the client exceeds "
        "one\nof the published rate limits within a short time window.",
    }
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert "retry-after" not in refused.headers  # Pinterest sends none (section 4.4)
    assert other_account.status_code == 200  # the limit is per ad account
    assert again.status_code == 200


async def test_concurrent_requests_are_counted_exactly() -> None:
    statuses: list[int] = []
    async with sandbox_client(rate_limit_per_minute=30) as http:

        async def one() -> None:
            statuses.append((await post_events(http, [make_event()])).status_code)

        async with anyio.create_task_group() as group:
            for _ in range(50):
                group.start_soon(one)
    assert sorted(statuses) == [200] * 30 + [429] * 20


def test_peeking_does_not_count_and_old_windows_are_forgotten() -> None:
    clock = FakeClock()
    limiter = FixedWindowRateLimiter(5, clock=clock, max_keys=2)
    assert limiter.peek("a").remaining == 5
    assert limiter.hit("a").remaining == 4
    assert limiter.peek("a").remaining == 4
    limiter.hit("b")
    limiter.hit("c")  # a third key: the oldest window ("a") is dropped to stay within 2
    assert limiter.peek("a").remaining == 5
    clock.advance(61)
    assert limiter.hit("b").remaining == 4  # a new window


# --- inspection -------------------------------------------------------------------------------


async def test_processed_events_are_shown_exactly_as_received(http: httpx.AsyncClient) -> None:
    event = make_event(event_id="shown")
    await post_events(http, [event, make_event(event_id="failed", action_source="x")])
    assert (await http.get("/_sandbox/events")).json() == [
        {
            "ad_account_id": AD_ACCOUNT_ID,
            "test": False,
            "received_at": "2026-09-21T14:13:20.000Z",
            "event": event,
        }
    ]


async def test_events_can_be_filtered_and_cleared() -> None:
    async with sandbox_client() as http:
        await post_events(http, [make_event(event_id="a"), make_event(event_id="b")])
        await post_events(http, [make_event(event_id="c")], ad_account_id=OTHER_AD_ACCOUNT_ID)
        await post_events(http, [make_event(event_id="d")], test=True)

        async def ids(query: dict[str, str]) -> list[str]:
            shown = (await http.get("/_sandbox/events", params=query)).json()
            return [item["event"]["event_id"] for item in shown]

        assert await ids({}) == ["a", "b", "c", "d"]
        assert await ids({"ad_account_id": OTHER_AD_ACCOUNT_ID}) == ["c"]
        assert await ids({"event_id": "b"}) == ["b"]
        assert await ids({"test": "true"}) == ["d"]
        assert (await http.delete("/_sandbox/events")).json() == {"deleted": 4}
        assert await ids({}) == []


async def test_every_request_is_logged_with_a_masked_token(http: httpx.AsyncClient) -> None:
    await post_events(http, [make_event(), make_event(action_source="x")])
    await post_events(http, [make_event()], token="pina_wrong_token_123456")
    response = await http.get("/_sandbox/requests")
    first, second = response.json()
    assert first | {"request_id": "-"} == {
        "request_id": "-",
        "received_at": "2026-09-21T14:13:20.000Z",
        "method": "POST",
        "path": f"/v5/ad_accounts/{AD_ACCOUNT_ID}/events",
        "ad_account_id": AD_ACCOUNT_ID,
        "test": False,
        "status": 422,
        "code": 953,
        "message": "The action could not be processed properly due to some or all data "
        "provided being invalid.",
        "event_count": 2,
        "processed_count": 1,
        "failed_count": 1,
        "token": "pina_…cdef",
    }
    assert (second["status"], second["token"]) == (401, "pina_…3456")
    assert TOKEN not in response.text
    assert "wrong_token" not in response.text
    assert (await http.delete("/_sandbox/requests")).json() == {"deleted": 2}


async def test_memory_is_bounded_by_keeping_the_newest() -> None:
    async with sandbox_client(max_stored_events=3, max_logged_requests=2) as http:
        await post_events(http, [make_event(event_id=f"e{i}") for i in range(5)])
        await post_events(http, [make_event(event_id="e5")])
        await post_events(http, [make_event(event_id="e6")])
        shown = (await http.get("/_sandbox/events")).json()
        logged = (await http.get("/_sandbox/requests")).json()
    assert [item["event"]["event_id"] for item in shown] == ["e4", "e5", "e6"]
    assert len(logged) == 2


def test_tokens_are_masked_to_their_prefix_and_last_four() -> None:
    assert mask_token("pina_0123456789abcdefXYZW") == "pina_…XYZW"
    assert mask_token("short_token") == "…"


# --- fault injection --------------------------------------------------------------------------


async def test_queued_faults_answer_the_next_requests_then_stop(http: httpx.AsyncClient) -> None:
    queued = await http.post("/_sandbox/faults", json={"status": 503, "count": 2})
    assert queued.status_code == 201
    assert len((await http.get("/_sandbox/faults")).json()) == 2
    answers = [await post_events(http, [make_event()]) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [503, 503, 200]
    assert answers[0].json() == {
        "code": 4197,
        "message": "The endpoint has been ramped down and is currently not accepting any traffic.",
    }


async def test_a_gateway_fault_answers_html(http: httpx.AsyncClient) -> None:
    await http.post("/_sandbox/faults", json={"status": 502})
    answer = await post_events(http, [make_event()])
    assert answer.status_code == 502
    assert answer.headers["content-type"].startswith("text/html")


async def test_an_injected_429_looks_like_pinterests(http: httpx.AsyncClient) -> None:
    await http.post("/_sandbox/faults", json={"status": 429})
    answer = await post_events(http, [make_event()])
    assert (answer.status_code, answer.json()["code"]) == (429, 8)
    assert answer.headers["x-ratelimit-remaining"] == "0"


async def test_a_delay_only_fault_answers_normally(http: httpx.AsyncClient) -> None:
    await http.post("/_sandbox/faults", json={"status": None, "delay_seconds": 0.01})
    assert (await post_events(http, [make_event()])).status_code == 200


@pytest.mark.parametrize(
    "fault", [{"status": 418}, {"status": 503, "count": 0}, {"delay_seconds": -1}, {"kind": "x"}]
)
async def test_impossible_faults_are_refused(http: httpx.AsyncClient, fault: object) -> None:
    answer = await http.post("/_sandbox/faults", json=fault)
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("Invalid fault")


@pytest.mark.parametrize(("status", "code"), [(401, 2), (403, 29), (404, 2)])
async def test_an_injected_auth_or_account_answer_uses_pinterests_body(
    http: httpx.AsyncClient, status: int, code: int
) -> None:
    await http.post("/_sandbox/faults", json={"status": status})
    answer = await post_events(http, [make_event()])
    assert (answer.status_code, answer.json()["code"]) == (status, code)


async def test_queued_faults_can_be_dropped(http: httpx.AsyncClient) -> None:
    await http.post("/_sandbox/faults", json={"status": 500, "count": 3})
    assert (await http.delete("/_sandbox/faults")).json() == {"deleted": 3}
    assert (await post_events(http, [make_event()])).status_code == 200


# --- size and configuration ---------------------------------------------------------------------


async def test_a_body_over_the_limit_gets_413() -> None:
    async with sandbox_client(max_body_bytes=100) as http:
        answer = await post_events(http, [make_event()])
    assert answer.status_code == 413
    assert answer.json() == {
        "code": 1,
        "message": "Invalid request: the request body is over 100 bytes",
    }


@pytest.mark.parametrize(
    ("setting", "field"),
    [
        ({"mixed_failure_status": 207}, "mixed_failure_status"),
        ({"rate_limit_per_minute": 0}, "rate_limit_per_minute"),
        ({"max_stored_events": 0}, "max_stored_events"),
    ],
)
def test_impossible_settings_are_named(setting: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError, match=f"SandboxConfig.{field}"):
        SandboxConfig(**setting)


def test_the_default_config_lets_the_demo_token_send_for_any_account() -> None:
    config = SandboxConfig()
    assert config.ad_accounts_for("pina_sandbox_token") == {"*"}
    assert config.ad_accounts_for(TOKEN) is None
    assert config.rate_limit_per_minute == 120_000
