"""The collect API over real HTTP: what it accepts, what it refuses, and what it says."""

from __future__ import annotations

import gzip
import json
import uuid
from typing import Any

import httpx
import pytest

from tests.support.servers import GatewayFactory, GatewayHandle
from tests.support.stores import ON_BOTH_ENGINES, raw_database_content

pytestmark = [ON_BOTH_ENGINES]  # the engine matters here: run on SQLite and PostgreSQL


def _track(**overrides: Any) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "track",
        "event": "Signed Up",
        "userId": "user-1",
        "messageId": str(uuid.uuid4()),
        "timestamp": "2026-11-22T10:00:00Z",
        "context": {"ip": "203.0.113.5", "userAgent": "Mozilla/5.0"},
    }
    message.update(overrides)
    return message


@pytest.fixture
def gateway(start_gateway: GatewayFactory) -> GatewayHandle:
    return start_gateway()


@pytest.fixture
def write_key(gateway: GatewayHandle) -> str:
    key: str = gateway.create_source()["write_key"]
    return key


def _events(gateway: GatewayHandle) -> list[dict[str, Any]]:
    response = gateway.admin("GET", "/v1/admin/events")
    assert response.status_code == 200
    events: list[dict[str, Any]] = response.json()
    return events


def test_a_track_with_basic_auth_is_acknowledged_and_stored(
    gateway: GatewayHandle, write_key: str
) -> None:
    response = httpx.post(f"{gateway.collect_url}/v1/track", auth=(write_key, ""), json=_track())
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert [e["name"] for e in _events(gateway)] == ["Signed Up"]


def test_the_write_key_may_come_in_the_body(gateway: GatewayHandle, write_key: str) -> None:
    response = httpx.post(
        f"{gateway.collect_url}/v1/track", json={**_track(), "writeKey": write_key}
    )
    assert response.status_code == 200


def test_every_single_endpoint_sets_the_message_type(
    gateway: GatewayHandle, write_key: str
) -> None:
    for kind in ("page", "screen", "identify", "group", "alias"):
        body = {"userId": "u", "messageId": str(uuid.uuid4()), "name": "Home"}
        response = httpx.post(f"{gateway.collect_url}/v1/{kind}", auth=(write_key, ""), json=body)
        assert response.status_code == 200, (kind, response.text)
    assert sorted(e["type"] for e in _events(gateway)) == sorted(
        ["page", "screen", "identify", "group", "alias"]
    )


def test_a_gzip_body_is_accepted(gateway: GatewayHandle, write_key: str) -> None:
    body = gzip.compress(json.dumps({"batch": [_track()]}).encode())
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch",
        auth=(write_key, ""),
        content=body,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text


def test_null_optional_fields_are_accepted(gateway: GatewayHandle, write_key: str) -> None:
    message = _track(anonymousId=None, properties=None, context=None, timestamp=None)
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch", auth=(write_key, ""), json={"batch": [message]}
    )
    assert response.status_code == 200, response.text


def test_a_retried_message_id_is_stored_once(gateway: GatewayHandle, write_key: str) -> None:
    message = _track()
    for _ in range(3):
        response = httpx.post(
            f"{gateway.collect_url}/v1/batch", auth=(write_key, ""), json={"batch": [message]}
        )
        assert response.status_code == 200
    assert len(_events(gateway)) == 1


def test_an_unknown_write_key_is_refused_with_401(gateway: GatewayHandle) -> None:
    response = httpx.post(f"{gateway.collect_url}/v1/track", auth=("wk_nope", ""), json=_track())
    assert response.status_code == 401
    assert "unknown write key" in response.json()["message"]
    assert "wk_nope" not in response.text


def test_a_missing_write_key_is_refused_with_401(gateway: GatewayHandle) -> None:
    response = httpx.post(f"{gateway.collect_url}/v1/track", json=_track())
    assert response.status_code == 401
    assert "write key" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"", 400, "empty"),
        (b"[1, 2]", 400, "expected a JSON object"),
    ],
)
def test_malformed_bodies_get_400(
    gateway: GatewayHandle, write_key: str, body: bytes, status: int, says: str
) -> None:
    response = httpx.post(
        f"{gateway.collect_url}/v1/track",
        auth=(write_key, ""),
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == status
    assert says in response.json()["message"]


@pytest.mark.parametrize(
    ("message", "field"),
    [
        (_track(event=None), "event"),
        (_track(event=""), "event"),
        (_track(timestamp="yesterday"), "timestamp"),
        (_track(timestamp=12345), "timestamp"),
        (_track(sentAt="not a date"), "sentAt"),
        (_track(userId=None), "userId or anonymousId"),
        (_track(properties=[1]), "properties"),
        (_track(type="purchase"), "type"),
    ],
)
def test_a_bad_event_gets_400_naming_the_field(
    gateway: GatewayHandle, write_key: str, message: dict[str, Any], field: str
) -> None:
    response = httpx.post(f"{gateway.collect_url}/v1/track", auth=(write_key, ""), json=message)
    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith(field)
    assert _events(gateway) == []


def test_a_batch_message_without_type_is_rejected(gateway: GatewayHandle, write_key: str) -> None:
    message = _track()
    del message["type"]
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch", auth=(write_key, ""), json={"batch": [message]}
    )
    assert response.status_code == 400
    assert response.json()["rejected"][0]["error"].startswith("type")


def test_one_bad_event_in_a_batch_keeps_the_good_ones(
    gateway: GatewayHandle, write_key: str
) -> None:
    good_1, good_2 = _track(), _track(event="Product Added")
    bad = _track(timestamp="tomorrow-ish")
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch",
        auth=(write_key, ""),
        json={"batch": [good_1, bad, good_2]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["accepted"] == 2
    assert body["rejected"] == [
        {"index": 1, "messageId": bad["messageId"], "error": body["rejected"][0]["error"]}
    ]
    assert "timestamp" in body["rejected"][0]["error"]
    assert sorted(e["message_id"] for e in _events(gateway)) == sorted(
        [good_1["messageId"], good_2["messageId"]]
    )


def test_an_event_over_32_kb_is_refused_with_413(gateway: GatewayHandle, write_key: str) -> None:
    message = _track(properties={"blob": "x" * 33_000})
    response = httpx.post(f"{gateway.collect_url}/v1/track", auth=(write_key, ""), json=message)
    assert response.status_code == 413
    assert "32 KB" in response.json()["message"]


def test_an_oversized_event_in_a_batch_is_rejected_alone(
    gateway: GatewayHandle, write_key: str
) -> None:
    big, small = _track(properties={"blob": "x" * 33_000}), _track()
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch", auth=(write_key, ""), json={"batch": [big, small]}
    )
    assert response.status_code == 200
    assert response.json()["rejected"][0]["index"] == 0
    assert len(_events(gateway)) == 1


def test_a_request_over_the_4_5_mb_limit_is_refused_with_413(
    gateway: GatewayHandle, write_key: str
) -> None:
    batch = [_track(properties={"blob": "x" * 20_000}) for _ in range(240)]
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch", auth=(write_key, ""), json={"batch": batch}
    )
    assert response.status_code == 413
    assert "4608 KB" in response.json()["message"]
    assert _events(gateway) == []


def test_a_gzip_bomb_is_refused_with_413(gateway: GatewayHandle, write_key: str) -> None:
    bomb = gzip.compress(b'{"batch": [' + b" " * 5_000_000 + b"]}")
    assert len(bomb) < 500 * 1024
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch",
        auth=(write_key, ""),
        content=bomb,
        headers={"Content-Encoding": "gzip"},
    )
    assert response.status_code == 413


def test_broken_gzip_gets_400(gateway: GatewayHandle, write_key: str) -> None:
    response = httpx.post(
        f"{gateway.collect_url}/v1/batch",
        auth=(write_key, ""),
        content=b"not gzip at all",
        headers={"Content-Encoding": "gzip"},
    )
    assert response.status_code == 400
    assert "gzip" in response.json()["message"]


def test_no_raw_pii_is_written_to_the_database(gateway: GatewayHandle, write_key: str) -> None:
    message = {
        "type": "identify",
        "userId": "user-9",
        "messageId": str(uuid.uuid4()),
        "traits": {
            "email": "Secret.Person@Example.com",
            "phone": "+1 650 555 1212",
            "firstName": "Secretfirst",
        },
    }
    response = httpx.post(f"{gateway.collect_url}/v1/identify", auth=(write_key, ""), json=message)
    assert response.status_code == 200
    raw = raw_database_content(gateway.settings.database_url)
    for secret in (b"Secret.Person", b"secret.person", b"6505551212", b"Secretfirst"):
        assert secret not in raw
