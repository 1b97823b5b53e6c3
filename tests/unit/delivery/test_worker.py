"""The worker's reading of every Pinterest answer, through the client's transport seam.

The store is a real SQLite file; Pinterest is a small fake handler, so each test says exactly
what Pinterest answers and checks where every event ends up.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from pinrelay.credentials import SecretBox
from pinrelay.delivery.retry import RetryPolicy
from pinrelay.delivery.worker import DeliveryWorker
from pinrelay.pinterest.client import PinterestClient
from pinrelay.store.records import OutboxRow
from pinrelay.store.sqlite.store import SQLiteStore
from tests.support.records import ingest_record
from tests.support.stores import opened_store, sample_integration

pytestmark = pytest.mark.anyio

BOX = SecretBox(Fernet.generate_key())
TOKEN = "pina_secret_conversion_token"
RATE_LIMIT_PER_MINUTE = 5000.0  # pinterest-capi.md §4.4: the spec's per-account figure
Handler = Callable[[httpx.Request], httpx.Response]


def processed(request: httpx.Request) -> httpx.Response:
    count = len(json.loads(request.content)["data"])
    return httpx.Response(
        200,
        json={
            "num_events_received": count,
            "num_events_processed": count,
            "events": [{"status": "processed", "error_message": "", "warning_message": ""}] * count,
        },
    )


class Harness:
    def __init__(
        self,
        store: SQLiteStore,
        handler: Handler,
        *,
        batch_wait_seconds: float = 0.0,
        inflight_batches: int = 1,
        lease_seconds: float = 60,
        rate_limit_per_minute: float = RATE_LIMIT_PER_MINUTE,
    ) -> None:
        self.store = store
        self.requests: list[httpx.Request] = []

        def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return handler(request)

        self.client = PinterestClient(
            "https://pinterest.test/v5", transport=httpx.MockTransport(record)
        )
        self.worker = DeliveryWorker(
            store,
            self.client,
            BOX,
            retry=RetryPolicy(0.001, 0.002, 3, 0),
            lease_seconds=lease_seconds,
            poll_seconds=0.01,
            inflight_batches=inflight_batches,
            batch_wait_seconds=batch_wait_seconds,
            rate_limit_per_minute=rate_limit_per_minute,
        )

    def sent_ids(self) -> list[list[str]]:
        return [[e["event_id"] for e in json.loads(r.content)["data"]] for r in self.requests]

    async def statuses(self) -> dict[str, tuple[str, str | None]]:
        entries = await self.store.list_outbox("int_1", status=None, limit=1000, before=None)
        return {e.event_id: (e.status, e.last_error or e.warning) for e in entries}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    integration = sample_integration(
        name="P", conversion_token_enc=BOX.encrypt(TOKEN), conversion_token_hint="oken"
    )
    async with opened_store(tmp_path / "pinrelay.db", integration=integration) as opened:
        yield opened


async def queue(store: SQLiteStore, *event_ids: str, age_seconds: float = 60) -> None:
    event_time = int(time.time() - age_seconds)
    await store.ingest(
        [
            ingest_record(
                event_id,
                name="x",
                user_id="u",
                rows=(
                    OutboxRow(
                        "int_1",
                        event_id,
                        "checkout",
                        event_time,
                        json.dumps({"event_id": event_id, "event_name": "checkout"}).encode(),
                    ),
                ),
            )
            for event_id in event_ids
        ]
    )


async def drain(harness: Harness, rounds: int = 20) -> None:
    for _ in range(rounds):
        if await harness.worker.run_once() == 0:
            pending = await harness.store.next_due_at("int_1")
            if pending is None:
                return
            await asyncio.sleep(0.01)


async def test_processed_events_are_delivered_in_one_batch(store: SQLiteStore) -> None:
    harness = Harness(store, processed)
    await queue(store, "a", "b", "c")
    await drain(harness)
    assert harness.sent_ids() == [["a", "b", "c"]]
    assert harness.requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert harness.requests[0].url.path == "/v5/ad_accounts/549764982399/events"
    assert {s for s, _ in (await harness.statuses()).values()} == {"delivered"}


async def test_failed_events_are_dead_with_pinterests_message(store: SQLiteStore) -> None:
    def mixed(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            422,
            json={
                "code": 953,
                "message": "invalid",
                "details": {
                    "num_events_received": 2,
                    "num_events_processed": 1,
                    "events": [
                        {
                            "status": "processed",
                            "error_message": None,
                            "warning_message": "click_id is missing",
                        },
                        {
                            "status": "failed",
                            "error_message": "Invalid event_timestamp parameter.",
                            "warning_message": None,
                        },
                    ],
                },
            },
        )

    harness = Harness(store, mixed)
    await queue(store, "good", "bad")
    await drain(harness)
    assert await harness.statuses() == {
        "good": ("delivered", "click_id is missing"),
        "bad": ("dead", "Invalid event_timestamp parameter."),
    }


async def test_server_errors_are_retried_then_delivered(store: SQLiteStore) -> None:
    answers = iter([httpx.Response(503, json={"code": 4197, "message": "ramped down"})])

    def flaky(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or processed(request)

    harness = Harness(store, flaky)
    await queue(store, "a")
    await drain(harness)
    assert harness.sent_ids() == [["a"], ["a"]]  # same event_id on the retry
    assert (await harness.statuses())["a"] == ("delivered", None)
    attempts = await store.list_attempts("int_1", limit=10)
    assert [a.outcome for a in reversed(attempts)] == ["retry", "delivered"]


async def test_transient_failures_give_up_after_the_budget(store: SQLiteStore) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    harness = Harness(store, down)
    await queue(store, "a")
    await drain(harness, rounds=50)
    status, reason = (await harness.statuses())["a"]
    assert status == "dead"
    assert reason is not None
    assert reason.startswith("gave up after 3 attempts")


async def test_a_400_batch_is_split_until_the_bad_event_is_alone(store: SQLiteStore) -> None:
    def strict(request: httpx.Request) -> httpx.Response:
        ids = [e["event_id"] for e in json.loads(request.content)["data"]]
        if "poison" in ids:
            return httpx.Response(400, json={"code": 1, "message": "Invalid request: bad"})
        return processed(request)

    harness = Harness(store, strict)
    await queue(store, "a", "b", "poison", "c", "d")
    await drain(harness)
    statuses = await harness.statuses()
    assert statuses.pop("poison")[0] == "dead"
    assert {s for s, _ in statuses.values()} == {"delivered"}


@pytest.mark.parametrize(("status", "says"), [(401, "token"), (403, "ad account"), (404, "Tag ID")])
async def test_a_rejected_token_or_account_pauses_the_lane(
    store: SQLiteStore, status: int, says: str
) -> None:
    harness = Harness(store, lambda r: httpx.Response(status, json={"code": 2, "message": "no"}))
    await queue(store, "a", "b")
    await drain(harness)
    integration = store.get_integration("int_1")
    assert integration is not None
    assert integration.paused_reason is not None
    assert says in integration.paused_reason
    assert TOKEN not in integration.paused_reason
    assert {s for s, _ in (await harness.statuses()).values()} == {"pending"}  # nothing lost
    assert len(harness.requests) == 1  # a paused lane sends nothing more


async def test_events_older_than_seven_days_are_dead_without_a_send(store: SQLiteStore) -> None:
    harness = Harness(store, processed)
    await queue(store, "old", age_seconds=8 * 86400)
    await drain(harness)
    assert harness.requests == []
    status, reason = (await harness.statuses())["old"]
    assert status == "dead"
    assert reason is not None
    assert "7 days" in reason


async def test_several_batches_of_one_lane_are_in_flight_at_once(store: SQLiteStore) -> None:
    in_flight = 0
    most = 0
    started = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        if most >= 3:
            started.set()
        await asyncio.wait_for(started.wait(), 5)
        in_flight -= 1
        return processed(request)

    harness = Harness(store, processed)
    harness.client = PinterestClient(
        "https://pinterest.test/v5", transport=httpx.MockTransport(slow)
    )
    harness.worker = DeliveryWorker(
        store,
        harness.client,
        BOX,
        retry=RetryPolicy(0.001, 0.002, 3, 0),
        lease_seconds=60,
        poll_seconds=0.01,
        inflight_batches=3,
        rate_limit_per_minute=RATE_LIMIT_PER_MINUTE,
    )
    await queue(store, *(f"e{i}" for i in range(2500)))
    assert await harness.worker.run_once() == 2500  # 1000 + 1000 + 500, together
    assert most == 3
    assert {s for s, _ in (await harness.statuses()).values()} == {"delivered"}


async def test_a_429_retries_after_x_ratelimit_reset(store: SQLiteStore) -> None:
    answers = iter(
        [
            httpx.Response(
                429, json={"code": 8, "message": "slow down"}, headers={"X-RateLimit-Reset": "30"}
            )
        ]
    )

    def limited(request: httpx.Request) -> httpx.Response:
        return next(answers, None) or processed(request)

    harness = Harness(store, limited)
    await queue(store, "a")
    await harness.worker.run_once()
    entry = (await store.list_outbox("int_1", status=None, limit=1, before=None))[0]
    assert entry.status == "pending"
    assert entry.next_attempt_at >= time.time() + 29  # not before the reset
    assert (await store.list_attempts("int_1", limit=1))[0].http_status == 429


async def delivered(harness: Harness, count: int) -> None:
    """Return once `count` events are delivered; fail after 10 s."""
    async with asyncio.timeout(10):
        while (await harness.store.outbox_counts("int_1")).get("delivered", 0) < count:  # noqa: ASYNC110  # a poll of the store
            await asyncio.sleep(0.01)


async def test_events_committed_while_a_lane_waits_go_out_in_one_batch(
    store: SQLiteStore,
) -> None:
    harness = Harness(store, processed, batch_wait_seconds=1.0)
    running = asyncio.create_task(harness.worker.run())
    await asyncio.sleep(0.05)  # the lane found the outbox empty
    for event_id in ("a", "b", "c"):  # three commits, each waking the lane
        await queue(store, event_id)
        harness.worker.wake()
    await delivered(harness, 3)
    harness.worker.stop()
    await asyncio.wait_for(running, 5)
    assert harness.sent_ids() == [["a", "b", "c"]]


async def test_a_backlog_goes_out_in_full_batches_without_waiting(store: SQLiteStore) -> None:
    harness = Harness(store, processed, batch_wait_seconds=60.0)
    await queue(store, *(f"e{i}" for i in range(2500)))
    running = asyncio.create_task(harness.worker.run())
    await delivered(harness, 2500)  # long before one batch wait
    harness.worker.stop()
    await asyncio.wait_for(running, 5)
    assert [len(ids) for ids in harness.sent_ids()] == [1000, 1000, 500]


async def test_a_stop_ends_the_batch_wait_and_leaves_the_events_pending(
    store: SQLiteStore,
) -> None:
    harness = Harness(store, processed, batch_wait_seconds=60.0)
    running = asyncio.create_task(harness.worker.run())
    await asyncio.sleep(0.05)
    await queue(store, "a")
    harness.worker.wake()
    await asyncio.sleep(0.05)  # the lane is gathering a batch
    harness.worker.stop()
    await asyncio.wait_for(running, 5)  # not 60 s
    assert harness.requests == []
    assert (await harness.statuses()) == {"a": ("pending", None)}


async def test_a_stop_does_not_wait_for_a_batch_held_back_by_the_rate_limit(
    store: SQLiteStore,
) -> None:
    """A backoff or a closed bucket can last minutes: a stop gives the waiting batch back."""
    harness = Harness(  # one request now, the next in a minute
        store, processed, inflight_batches=2, lease_seconds=600, rate_limit_per_minute=1
    )
    await queue(store, *(f"e{i}" for i in range(2000)))
    round_ = asyncio.create_task(harness.worker.run_once())  # claims two batches of 1000
    await delivered(harness, 1000)
    await asyncio.sleep(0.05)  # the second batch waits for its token
    harness.worker.stop()
    assert await asyncio.wait_for(round_, 5) == 2000  # not a minute
    assert len(harness.requests) == 1
    statuses = await harness.statuses()
    assert sum(1 for status, _ in statuses.values() if status == "pending") == 1000
    assert {error for status, error in statuses.values() if status == "pending"} == {None}
    again = await store.claim_batch("int_1", limit=1000, now=time.time(), lease_seconds=60)
    assert len(again) == 1000  # released, not left leased for 600 s
