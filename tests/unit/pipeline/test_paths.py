"""Dotted paths into a message: both spellings, indexes, and `[]` for every item."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.pipeline.paths import MISSING, Path, PathSyntaxError, parse_path

MESSAGE: dict[str, Any] = {
    "messageId": "m-1",
    "user_id": "u-1",
    "anonymousId": None,
    "context": {"userAgent": "UA", "page": {"url": "https://x.example/"}},
    "properties": {
        "products": [
            {"product_id": "a", "price": 1.5},
            {"productId": "b"},
            {"product_id": "c", "price": 3},
        ],
        "empty": [],
    },
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("messageId", "m-1"),
        ("message_id", "m-1"),  # the seed's spelling of Segment's messageId
        ("userId", "u-1"),  # and the other way round
        ("context.user_agent", "UA"),
        ("context.page.url", "https://x.example/"),
        ("properties.products[0].price", 1.5),
        ("properties.products[2].product_id", "c"),
        ("properties.products[].product_id", ["a", "b", "c"]),
        ("properties.products[].price", [1.5, 3]),
        ("properties.products[]", MESSAGE["properties"]["products"]),
        ("properties.empty[]", []),
    ],
)
def test_reads(path: str, expected: object) -> None:
    assert Path.parse(path).read(MESSAGE) == expected


@pytest.mark.parametrize(
    "path",
    [
        "anonymousId",  # null counts as missing
        "nothing",
        "properties.products[9]",
        "properties.products.price",  # a list has no keys
        "context.page.url.more",
        "messageId[0]",
        "messageId[]",
    ],
)
def test_missing(path: str) -> None:
    assert Path.parse(path).read(MESSAGE) is MISSING


def test_missing_is_falsy_and_a_singleton() -> None:
    assert not MISSING
    assert repr(MISSING) == "MISSING"
    assert type(MISSING)() is MISSING


@pytest.mark.parametrize("path", ["", " a", "a..b", "[0]", "a[x]", "a.", "a b"])
def test_syntax_errors(path: str) -> None:
    with pytest.raises(PathSyntaxError):
        parse_path(path)
