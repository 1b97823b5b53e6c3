"""Rows -> Segment messages: offline, deterministic ids, line items, the 7-day limit."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from pinrelay.offline.mapping import load_mapping, parse_mapping
from pinrelay.offline.reader import Row
from pinrelay.offline.rows import Order, RowMapper, RowRefused, orders, row_hash

NOW = time.time()


def ago(**delta: float) -> str:
    return (datetime.fromtimestamp(NOW, UTC) - timedelta(**delta)).isoformat()


def generic_row(number: int = 1, **cells: str) -> Row:
    values = {"email": "a@example.com", "order_id": "1001", "value": "9.90", "currency": "usd"}
    values["time"] = ago(hours=2)
    values.update(cells)
    return Row(number, values)


def test_a_row_becomes_an_offline_track_with_its_order_id_as_message_id() -> None:
    mapper = RowMapper(load_mapping("generic"), now=NOW)

    message = mapper.message(Order((generic_row(),)))

    assert message["type"] == "track"
    assert message["event"] == "Order Completed"
    assert message["messageId"] == "1001"
    assert message["properties"]["action_source"] == "offline"
    assert message["properties"]["value"] == "9.90"
    assert message["context"]["traits"] == {"email": "a@example.com"}
    assert message["anonymousId"] == "offline-1001"


def test_without_an_order_id_the_id_is_a_hash_of_the_row_stable_across_runs() -> None:
    mapper = RowMapper(load_mapping("generic"), now=NOW)
    row = generic_row(order_id="")

    first = mapper.message(Order((row,)))["messageId"]
    again = RowMapper(load_mapping("generic"), now=NOW + 60).message(Order((row,)))["messageId"]

    assert first == again == row_hash(row.values)
    assert first != mapper.message(Order((generic_row(order_id="", value="1"),)))["messageId"]


def test_a_row_older_than_seven_days_is_refused_as_too_old() -> None:
    mapper = RowMapper(load_mapping("generic"), now=NOW)

    with pytest.raises(RowRefused) as refused:
        mapper.message(Order((generic_row(time=ago(days=7, minutes=1)),)))

    assert refused.value.kind == "too old"
    assert "older than 7 days" in refused.value.detail


def test_a_row_six_days_old_is_still_sent() -> None:
    mapper = RowMapper(load_mapping("generic"), now=NOW)

    assert mapper.message(Order((generic_row(time=ago(days=6)),)))["messageId"] == "1001"


def test_an_unreadable_time_is_refused_with_the_column_named() -> None:
    mapper = RowMapper(load_mapping("generic"), now=NOW)

    with pytest.raises(RowRefused, match="time: 'soon'"):
        mapper.message(Order((generic_row(time="soon"),)))


def test_consecutive_rows_of_one_order_are_one_event_with_its_products() -> None:
    mapping = load_mapping("shopify")
    created = "2026-11-30 14:05:09 -0500"
    rows = [
        Row(
            1,
            {
                "name": "#1",
                "created at": created,
                "email": "a@example.com",
                "lineitem name": "Apron",
                "lineitem quantity": "2",
                "lineitem sku": "A",
            },
        ),
        Row(
            2,
            {
                "name": "#1",
                "created at": created,
                "lineitem name": "Towel",
                "lineitem quantity": "1",
                "lineitem sku": "T",
            },
        ),
        Row(3, problem="broken"),
        Row(4, {"name": "#2", "created at": created, "lineitem sku": "B"}),
    ]

    grouped = list(orders(rows, mapping))

    assert [g.first if isinstance(g, Order) else g.number for g in grouped] == [1, 3, 4]
    first = grouped[0]
    assert isinstance(first, Order)
    assert first.last == 2
    mapper = RowMapper(mapping, now=datetime(2026, 12, 1, tzinfo=UTC).timestamp())
    products = mapper.message(first)["properties"]["products"]
    assert products == [
        {"name": "Apron", "quantity": "2", "sku": "A"},
        {"name": "Towel", "quantity": "1", "sku": "T"},
    ]


def test_a_user_id_column_names_the_user_instead_of_an_anonymous_row() -> None:
    mapping = parse_mapping("time: time\nevent_id: order_id\nuser_id: customer\n")
    row = generic_row(customer="c-42")

    message = RowMapper(mapping, now=NOW).message(Order((row,)))

    assert message["userId"] == "c-42"
    assert "anonymousId" not in message


def test_defaults_fill_empty_columns_and_nested_traits_are_built() -> None:
    mapping = parse_mapping(
        "time: time\nfields:\n  context.traits.address.city: city\n"
        "  properties.currency: currency\ndefaults:\n  properties.currency: EUR\n"
    )
    row = generic_row(city="Lyon", currency="")

    message = RowMapper(mapping, now=NOW).message(Order((row,)))

    assert message["context"]["traits"] == {"address": {"city": "Lyon"}}
    assert message["properties"]["currency"] == "EUR"
