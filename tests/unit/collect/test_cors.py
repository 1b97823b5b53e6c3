"""Origins as a source lists them, and the refusal a page from another origin gets."""

from __future__ import annotations

import pytest

from pinrelay.collect.cors import (
    check_origin,
    normalise_cookie_domain,
    normalise_origin,
    origin_allowed,
)
from pinrelay.errors import Forbidden


@pytest.mark.parametrize(
    ("written", "origin"),
    [
        ("https://Shop.Example/", "https://shop.example"),
        ("http://localhost:3000", "http://localhost:3000"),
        (" * ", "*"),
    ],
)
def test_origins_are_kept_the_way_browsers_send_them(written: str, origin: str) -> None:
    assert normalise_origin(written) == origin


@pytest.mark.parametrize("bad", ["shop.example", "ftp://shop.example", "https://s.example/a", ""])
def test_what_is_not_an_origin_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not an origin"):
        normalise_origin(bad)


def test_cookie_domains() -> None:
    assert normalise_cookie_domain(".Shop.example") == "shop.example"
    with pytest.raises(ValueError, match="not a cookie domain"):
        normalise_cookie_domain("localhost")


def test_star_allows_any_origin() -> None:
    assert origin_allowed(["*"], "https://a.example")
    assert origin_allowed(["https://a.example"], "https://A.example")
    assert not origin_allowed(["https://a.example"], "https://b.example")


def test_a_server_sends_no_origin_and_is_never_refused() -> None:
    check_origin("Web", (), None)


def test_the_refusal_names_the_origin_and_the_fix() -> None:
    with pytest.raises(Forbidden) as refused:
        check_origin("Web", ("https://a.example",), "https://b.example")
    assert "https://b.example" in refused.value.message
    assert "allowed_origins" in refused.value.message
    with pytest.raises(Forbidden, match="allows no browser origin yet"):
        check_origin("Web", (), "https://b.example")
