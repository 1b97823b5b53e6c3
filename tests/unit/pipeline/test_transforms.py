"""Every named transform: what it makes of good input, and that it refuses garbage."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.pipeline.paths import Path
from pinrelay.pipeline.transforms import TRANSFORMS, TransformArgs, TransformError

from .conftest import sha

ARGS = TransformArgs(target_key="em")


def run(name: str, value: Any, args: TransformArgs = ARGS) -> Any:
    return TRANSFORMS[name].build(args)(value)


def with_field(*fields: str, item_default: Any = None, target_key: str = "x") -> TransformArgs:
    paths = tuple(Path.parse(field) for field in fields)
    if item_default is None:
        return TransformArgs(target_key, paths)
    return TransformArgs(target_key, paths, item_default)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("unix_seconds", "2026-11-20T10:15:30.000Z", 1795169730),
        ("unix_seconds", "2026-11-20T11:15:30+01:00", 1795169730),
        ("unix_seconds", "2026-11-20T10:15:30", 1795169730),  # naive: UTC, as Segment sends
        ("unix_seconds", 1795169730, 1795169730),
        ("unix_seconds", 1795169730.9, 1795169730),
        ("unix_seconds", 1795169730123, 1795169730),  # milliseconds
        ("unix_seconds", "1795169730", 1795169730),
        ("decimal_string", 72.39, "72.39"),
        ("decimal_string", "72.39", "72.39"),
        ("decimal_string", " 100 ", "100"),
        ("decimal_string", 1e-7, "0.0000001"),  # never exponent notation
        ("decimal_string", 1e20, "100000000000000000000"),
        ("decimal_string", "2.5E+3", "2500"),
        ("decimal_string", [1, "x", 2.5], ["1", "2.5"]),  # per item, garbage items dropped
        ("to_string", 505, "505"),
        ("to_string", 19.99, "19.99"),
        ("to_string", True, "true"),
        ("to_string", "id", "id"),
        ("to_int", "3", 3),
        ("to_int", 2.0, 2),
        ("to_int", "4.0", 4),
        ("lowercase", "USD", "usd"),
        ("uppercase", "usd", "USD"),
        ("trim", "  a b  ", "a b"),
        ("trim", [" a", "b "], ["a", "b"]),
        ("sum", [1, 2, "3"], 6),
        ("sum", [1.25, 1.25], 2.5),
        ("count", [1, None, 3], 3),
        ("first", [None, "a", "b"], "a"),
        ("first", "scalar", "scalar"),
        ("as_list", "a", ["a"]),
        ("as_list", ["a"], ["a"]),
    ],
)
def test_transforms(name: str, value: Any, expected: Any) -> None:
    assert run(name, value) == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("unix_seconds", "yesterday"),
        ("unix_seconds", True),
        ("unix_seconds", {"t": 1}),
        ("decimal_string", "12,50"),
        ("decimal_string", "$5"),
        ("decimal_string", float("nan")),
        ("decimal_string", float("inf")),
        ("decimal_string", "1e999999"),  # would print a million digits
        ("decimal_string", False),
        ("decimal_string", ["x", "y"]),
        ("to_string", {"a": 1}),
        ("to_string", None),
        ("to_int", 2.5),
        ("to_int", "two"),
        ("lowercase", 5),
        ("sum", [1, "x"]),
        ("sum", "5"),
        ("count", 5),
        ("first", []),
        ("normalised_sha256", "not an email"),
        ("normalised_sha256", ["", "nope"]),
    ],
)
def test_transforms_refuse_what_they_cannot_convert(name: str, value: Any) -> None:
    with pytest.raises(TransformError) as raised:
        run(name, value)
    assert raised.value.reason


def test_reasons_never_quote_the_value() -> None:
    with pytest.raises(TransformError) as raised:
        run("normalised_sha256", "secret person at nowhere")
    assert "secret" not in raised.value.reason


def test_normalised_sha256_normalises_as_the_target_key_and_answers_a_list() -> None:
    assert run("normalised_sha256", " +1 650-555-1212", TransformArgs("ph")) == [sha("16505551212")]
    assert run("normalised_sha256", ["A@x.io", "a@x.io", "bad", "b@x.io"]) == [
        sha("a@x.io"),
        sha("b@x.io"),
    ]
    already = sha("a@x.io").upper()
    assert run("normalised_sha256", already) == [sha("a@x.io")]


def test_pluck_takes_a_field_of_each_item_as_strings() -> None:
    products = [{"product_id": 1}, {"sku": "S2"}, {"name": "no id"}, "not an object"]
    assert run("pluck", products, with_field("product_id", "sku")) == ["1", "S2"]
    assert run("pluck", {"product_id": "solo"}, with_field("product_id")) == ["solo"]
    with pytest.raises(TransformError):
        run("pluck", "text", with_field("product_id"))


def test_sum_and_count_with_a_field_and_an_item_default() -> None:
    products = [{"quantity": 2}, {"quantity": "3"}, {}]
    assert run("sum", products, with_field("quantity", item_default=1)) == 6
    assert run("sum", products, with_field("quantity")) == 5
    assert run("count", products, with_field("quantity")) == 2
