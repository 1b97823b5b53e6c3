"""The seed pipeline (shared/seeds/001, pinterest-checkout.yaml) loads and runs unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pinrelay.pipeline import EventInput, PipelineSet, load_pipeline_file

from .conftest import SEED_PIPELINE, sha

SEED_DOCUMENT = Path(__file__).parents[4] / "shared" / "seeds" / "001_03a94a6c2b76f0f1.txt"

ORDER_COMPLETED: dict[str, Any] = {
    "type": "track",
    "event": "Order Completed",
    "messageId": "ajs-next-1737123456789-abc",
    "userId": "user-42",
    "anonymousId": "anon-1",
    "timestamp": "2026-11-20T10:15:30.000Z",
    "context": {
        "ip": "203.0.113.9",
        "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15",
        "page": {"url": "https://shop.example/thanks?epik=dj0yJnU9"},
    },
    "traits": {"email": "  Jane.Doe@Example.com ", "phone": "+1 (650) 555-1212"},
    "properties": {
        "order_id": "50314b8e",
        "revenue": 72.39,
        "currency": "EUR",
        "quantity": 3,
        "products": [
            {"product_id": "507f1f77", "price": 19.0, "quantity": 1},
            {"product_id": 505, "price": 26.695, "quantity": 2},
        ],
    },
}

EXPECTED_CHECKOUT = {
    "event_name": "checkout",
    "action_source": "web",
    "event_time": 1795169730,  # 2026-11-20T10:15:30Z
    "event_source_url": "https://shop.example/thanks?epik=dj0yJnU9",
    "event_id": "ajs-next-1737123456789-abc",
    "user_data": {
        "client_ip_address": "203.0.113.9",
        "client_user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Safari/605.1.15",
        "em": [sha("jane.doe@example.com")],
        "ph": [sha("16505551212")],
        "click_id": "dj0yJnU9",
        "external_id": [sha("user-42")],
    },
    "custom_data": {
        "currency": "EUR",
        "value": "72.39",  # Pinterest wants a decimal string (pinterest-capi.md §2.5)
        "content_ids": ["507f1f77", "505"],
        "num_items": 3,
    },
}


@pytest.mark.skipif(not SEED_DOCUMENT.exists(), reason="shared/seeds is not beside the repo")
def test_fixture_is_the_seed_text_unchanged() -> None:
    seed_text = SEED_DOCUMENT.read_text(encoding="utf-8")
    assert SEED_PIPELINE.read_text(encoding="utf-8").strip() in seed_text


def test_seed_turns_order_completed_into_the_exact_checkout_event() -> None:
    pipelines = PipelineSet(load_pipeline_file(SEED_PIPELINE))
    [output] = pipelines.evaluate(EventInput(ORDER_COMPLETED))
    assert output.pipeline == "pinterest_checkout"
    assert output.event == EXPECTED_CHECKOUT
    assert output.notes == ()


def test_seed_condition_order_completed_matches_the_snake_case_name_too() -> None:
    pipelines = PipelineSet(load_pipeline_file(SEED_PIPELINE))
    message = {**ORDER_COMPLETED, "event": "order_completed"}
    assert [output.event for output in pipelines.evaluate(EventInput(message))] == [
        EXPECTED_CHECKOUT
    ]


def test_seed_falls_back_to_the_epik_cookie_and_ignores_other_events() -> None:
    pipelines = PipelineSet(load_pipeline_file(SEED_PIPELINE))
    context = {**ORDER_COMPLETED["context"], "page": {"url": "https://shop.example/thanks"}}
    message = {**ORDER_COMPLETED, "context": context}
    [output] = pipelines.evaluate(EventInput(message, cookies={"_epik": "from-cookie"}))
    assert output.event["user_data"]["click_id"] == "from-cookie"
    assert pipelines.evaluate(EventInput({**ORDER_COMPLETED, "event": "Product Added"})) == []
    assert pipelines.evaluate(EventInput({**ORDER_COMPLETED, "type": "page"})) == []
