"""A commit that fails is answered like every other collect error: Segment's JSON body, 503.

Before issue 16 the server-side (direct) route let the StoreError through to uvicorn, which
answered a plain-text 500, and the browser route answered a generic 500: an SDK could not
tell "send it again" from "a bug".
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest

from pinrelay.collect.app import CollectApp
from pinrelay.collect.ingest import Ingestor
from pinrelay.credentials import hash_key
from pinrelay.erroranswers import STORE_UNAVAILABLE_MESSAGE
from pinrelay.errors import StoreError
from pinrelay.store.records import IngestRecord
from pinrelay.store.sqlite.store import SQLiteStore

WRITE_KEY = "wk_failing_commit"
ORIGIN = "https://shop.example"
TRACK = {"type": "track", "event": "Order Completed", "userId": "u-1", "messageId": "m-1"}


class FailingCommitStore(SQLiteStore):
    """A real SQLite store whose ingest commit fails, as a full disk makes it fail."""

    async def ingest(self, records: Sequence[IngestRecord]) -> list[bool]:
        raise StoreError("the database rejected the write: database or disk is full")


@pytest.fixture
async def collect(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    store = FailingCommitStore(tmp_path / "pinrelay.db")
    await store.open()
    source = await store.create_source(
        source_id="src_1",
        name="Shop",
        write_key_hash=hash_key(WRITE_KEY),
        write_key_hint="wk_f…",
    )
    await store.update_source_browser(
        source.id,
        allowed_origins=(ORIGIN,),
        cookie_domain=None,
        consent_required=False,
        tag_dedup=False,
    )
    app = CollectApp(store, Ingestor(store), trusted_proxies=()).build()
    # raise_app_exceptions=False: an error escaping the app becomes uvicorn's plain 500
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://collect") as client:
        yield client
    await store.close()


@pytest.mark.anyio
@pytest.mark.parametrize(
    "headers",
    [{}, {"Origin": ORIGIN}],
    ids=["server-side sender (direct route)", "browser (Starlette route)"],
)
async def test_a_failed_commit_answers_503_with_the_segment_error_body(
    collect: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await collect.post("/v1/track", json=TRACK, auth=(WRITE_KEY, ""), headers=headers)
    assert response.status_code == 503  # a 5xx: Segment's and RudderStack's SDKs retry it
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "success": False,
        "code": "unavailable",
        "message": STORE_UNAVAILABLE_MESSAGE,
    }


@pytest.mark.anyio
async def test_the_answer_does_not_name_the_database_error(collect: httpx.AsyncClient) -> None:
    response = await collect.post("/v1/batch", json={"batch": [TRACK]}, auth=(WRITE_KEY, ""))
    assert response.status_code == 503
    assert "disk is full" not in response.text  # logged for the operator, not told the sender
