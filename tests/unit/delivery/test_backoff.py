"""While Pinterest is down or unreachable, a lane backs off as a whole.

Every event already retries with its own backoff; without the lane's, a full outbox would
still make one request (and one attempt row) per batch of new events, as fast as they come.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
import pytest

from pinrelay.delivery.retry import RetryPolicy
from pinrelay.delivery.sending import BatchSender
from pinrelay.metrics import Metrics
from pinrelay.pinterest.client import PinterestClient
from pinrelay.store.records import ClaimedEvent
from tests.support.stores import sample_integration

pytestmark = pytest.mark.anyio

BASE_SECONDS = 4.0
ACCOUNT = sample_integration().ad_account_id


class RecordingLimits:
    """SendLimits that never wait and remember each closing of a lane."""

    def __init__(self) -> None:
        self.closed: list[tuple[str, float]] = []

    async def acquire(self, ad_account_id: str) -> None:
        return None

    async def wait_seconds(self, ad_account_id: str) -> float:
        return 0.0

    async def close_for(self, ad_account_id: str, seconds: float) -> None:
        self.closed.append((ad_account_id, seconds))


class NullStore:
    """What BatchSender writes goes nowhere: these tests read the lane's closings."""

    async def record_outcomes(self, outcomes: object, attempt: object) -> None:
        return None


def _sender(
    answer: Callable[[httpx.Request], httpx.Response],
) -> tuple[BatchSender, RecordingLimits]:
    limits = RecordingLimits()
    client = PinterestClient("https://pinterest.test/v5", transport=httpx.MockTransport(answer))
    sender = BatchSender(
        NullStore(),  # type: ignore[arg-type]  # only record_outcomes is called
        client,
        retry=RetryPolicy(BASE_SECONDS, 600.0, 5, 0),
        limits=limits,
        metrics=Metrics(),
    )
    return sender, limits


def _batch() -> list[ClaimedEvent]:
    payload = json.dumps({"event_id": "e1", "event_name": "checkout"}).encode()
    return [ClaimedEvent(1, "e1", "checkout", int(time.time()), payload, 0, time.time())]


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def _processed(request: httpx.Request) -> httpx.Response:
    count = len(json.loads(request.content)["data"])
    statuses = [{"status": "processed", "error_message": "", "warning_message": ""}] * count
    return httpx.Response(
        200,
        json={"num_events_received": count, "num_events_processed": count, "events": statuses},
    )


async def test_each_failed_batch_in_a_row_closes_the_lane_for_a_longer_backoff() -> None:
    sender, limits = _sender(_unreachable)
    for _ in range(3):
        await sender._send(sample_integration(), "pina_token", _batch())
    assert [account for account, _ in limits.closed] == [ACCOUNT] * 3
    caps = [BASE_SECONDS, 2 * BASE_SECONDS, 4 * BASE_SECONDS]  # full jitter: 0 .. the cap
    assert all(0 <= seconds <= cap for (_, seconds), cap in zip(limits.closed, caps, strict=True))


async def test_an_answer_from_pinterest_starts_the_backoff_over() -> None:
    answers = iter([_unreachable, _unreachable, _processed, _unreachable])
    sender, limits = _sender(lambda request: next(answers)(request))
    for _ in range(4):
        await sender._send(sample_integration(), "pina_token", _batch())
    assert len(limits.closed) == 3  # the 200 closed nothing
    assert limits.closed[-1][1] <= BASE_SECONDS  # the first failure after it: the base again


async def test_server_errors_hold_the_lane_back_too() -> None:
    sender, limits = _sender(lambda request: httpx.Response(503, json={"message": "down"}))
    await sender._send(sample_integration(), "pina_token", _batch())
    assert len(limits.closed) == 1
