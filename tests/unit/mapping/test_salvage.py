"""One bad optional field costs that field: the event is still sent without it."""

from __future__ import annotations

from typing import Any

from pinrelay.mapping.salvage import salvage_fields
from pinrelay.pinterest.validation import validate_event


def _event(**custom_data: Any) -> dict[str, Any]:
    return {
        "event_name": "checkout",
        "action_source": "web",
        "event_time": 1796228418,
        "event_id": "m-1",
        "user_data": {"em": ["a" * 64]},
        "custom_data": custom_data,
    }


def test_bad_product_fields_go_and_the_rest_of_the_order_stays() -> None:
    event = _event(
        value="20",
        contents=[
            {"id": "a", "item_category": ["x", "y"], "quantity": 10**30},
            {"id": "b", "item_price": "12,50 EUR"},
        ],
        num_items=2.5,
        colour="red",
    )
    notes = salvage_fields(event)
    assert validate_event(event) == []
    assert event["custom_data"] == {"value": "20", "contents": [{"id": "a"}, {"id": "b"}]}
    assert [note.split(":")[0] for note in notes] == [
        "custom_data.colour",
        "custom_data.contents[0].item_category",
        "custom_data.contents[0].quantity",
        "custom_data.num_items",
        "custom_data.contents[1].item_price",
    ]


def test_an_item_left_empty_goes_with_its_last_field() -> None:
    event = _event(contents=[{"quantity": 1.5}], order_id="o-1")
    salvage_fields(event)
    assert event["custom_data"] == {"order_id": "o-1"}


def test_required_fields_and_identity_are_never_touched() -> None:
    event = _event(value="1")
    event["event_time"] = "yesterday"
    event["user_data"] = {"em": ["not-a-hash"]}
    assert salvage_fields(event) == []
    assert event["event_time"] == "yesterday"
    assert event["user_data"] == {"em": ["not-a-hash"]}
    assert validate_event(event) != []
