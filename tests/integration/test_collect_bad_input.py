"""Input an attacker or a broken SDK sends: a 4xx naming the field, never a 500, and nothing
accepted can break a later read of the admin API (issue 13, items 1 and 2)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from pinrelay.collect.messages import MAX_NESTING_DEPTH
from tests.support.servers import GatewayFactory, GatewayHandle


def _track(**overrides: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "track",
        "event": "Signed Up",
        "userId": "user-1",
        "messageId": str(uuid.uuid4()),
        "timestamp": "2026-11-22T10:00:00Z",
    }
    message.update(overrides)
    return message


def _nested(depth: int) -> dict[str, Any]:
    """An object `depth` levels deep: {"a": {"a": ... {}}}."""
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


@pytest.fixture
def gateway(start_gateway: GatewayFactory) -> GatewayHandle:
    return start_gateway()


@pytest.fixture
def write_key(gateway: GatewayHandle) -> str:
    key: str = gateway.create_source()["write_key"]
    return key


@pytest.mark.parametrize(
    ("message", "named"),
    [
        (_track(type=["track"]), "type: expected a string, got list"),
        (_track(type={"track": 1}), "type: expected a string, got dict"),
        (
            _track(timestamp="0001-01-01T00:00:00Z", sentAt="9999-12-31T23:59:59Z"),
            "too far apart",
        ),
        (_track(timestamp="0001-01-01T00:00:00+14:00"), "timestamp:"),
        (_track(properties=_nested(480)), f"deeper than {MAX_NESTING_DEPTH} levels"),
        (_track(properties=_nested(MAX_NESTING_DEPTH)), f"deeper than {MAX_NESTING_DEPTH}"),
    ],
    ids=["type-list", "type-object", "time-overflow", "tz-underflow", "deep-480", "one-too-deep"],
)
def test_a_bad_message_is_a_400_that_names_what_to_fix(
    gateway: GatewayHandle, write_key: str, message: dict[str, Any], named: str
) -> None:
    response = httpx.post(f"{gateway.collect_url}/v1/track", auth=(write_key, ""), json=message)
    assert response.status_code == 400, response.text
    assert named in response.json()["message"]


def test_a_body_nested_past_the_decoder_limit_is_a_400(
    gateway: GatewayHandle, write_key: str
) -> None:
    body = b'{"batch": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch",
        auth=(write_key, ""),
        content=body,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert "nests too deeply" in response.json()["message"]


def test_the_nesting_limit_itself_is_accepted(gateway: GatewayHandle, write_key: str) -> None:
    # the message is level 1 and properties level 2: properties may nest LIMIT - 1 levels
    message = _track(properties=_nested(MAX_NESTING_DEPTH - 1))
    response = httpx.post(f"{gateway.collect_url}/v1/track", auth=(write_key, ""), json=message)
    assert response.status_code == 200, response.text


def test_one_bad_message_in_a_batch_is_rejected_alone(
    gateway: GatewayHandle, write_key: str
) -> None:
    good = _track(event="Good")
    batch = [
        good,
        _track(context="not an object"),
        _track(type=["track"]),
        _track(properties=_nested(300)),
        _track(timestamp="0001-01-01T00:00:00Z", sentAt="9999-12-31T23:59:59Z"),
    ]
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch",
        auth=(write_key, ""),
        json={"batch": batch, "context": {"ip": "203.0.113.5", "userAgent": "Mozilla/5.0"}},
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["accepted"] == 1
    assert [r["index"] for r in answer["rejected"]] == [1, 2, 3, 4]
    assert answer["rejected"][0]["error"] == "context: expected an object, got str"
    events = gateway.admin("GET", "/v1/admin/events").json()
    assert [e["message_id"] for e in events] == [good["messageId"]]
    assert events[0]["body"]["context"]["ip"] == "203.0.113.5"


def test_what_collect_accepts_the_admin_api_can_read_back(
    gateway: GatewayHandle, write_key: str
) -> None:
    deepest = _track(properties=_nested(MAX_NESTING_DEPTH - 1), traits={"n": "\u0000\u2028"})
    response = httpx.post(f"{gateway.collect_url}/v1/track", auth=(write_key, ""), json=deepest)
    assert response.status_code == 200
    listed = gateway.admin("GET", "/v1/admin/events")
    assert listed.status_code == 200
    seq = listed.json()[0]["seq"]
    one = gateway.admin("GET", f"/v1/admin/events/{seq}")
    assert one.status_code == 200
    properties = one.json()["body"]["properties"]
    assert properties == _nested(MAX_NESTING_DEPTH - 1)


def test_a_source_over_its_request_rate_gets_429_with_retry_after(
    start_gateway: GatewayFactory,
) -> None:
    gateway = start_gateway(collect_rate_limit_per_second=0.001)  # one request, then wait
    busy, quiet = gateway.create_source("Busy")["write_key"], gateway.create_source("Quiet")
    url = f"{gateway.collect_url}/v1/track"
    assert httpx.post(url, auth=(busy, ""), json=_track()).status_code == 200
    refused = httpx.post(url, auth=(busy, ""), json=_track())
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1000"
    assert refused.json()["code"] == "rate_limited"
    assert httpx.post(url, auth=(quiet["write_key"], ""), json=_track()).status_code == 200
