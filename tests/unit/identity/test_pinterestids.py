"""Click id memory and `_pin_unauth` (pinterest-capi.md §5.4)."""

from __future__ import annotations

from typing import Any

from pinrelay.identity.hashing import sha256_hex
from pinrelay.identity.pinterestids import (
    RememberedClick,
    landing_click_id,
    pin_unauth_keys,
    resolve_click_id,
)


def _page(url: str | None = None, search: str | None = None) -> dict[str, Any]:
    page = {k: v for k, v in (("url", url), ("search", search)) if v}
    return {"type": "page", "context": {"page": page}}


def test_landing_value_from_the_url_then_the_search() -> None:
    assert landing_click_id(_page(url="https://s.example/?epik=A")) == "A"
    assert landing_click_id(_page(url="https://s.example/", search="?x=1&epik=B")) == "B"
    assert landing_click_id(_page()) is None


def test_landing_beats_cookie_beats_remembered() -> None:
    old = RememberedClick("OLD", 100.0)
    assert resolve_click_id(_page(url="/?epik=NEW"), {"_epik": "C"}, old, 200.0) == (
        "NEW",
        RememberedClick("NEW", 200.0),
    )
    assert resolve_click_id(_page(), {"_epik": "C"}, old, 200.0) == ("C", old)
    assert resolve_click_id(_page(), {}, old, 200.0) == ("OLD", old)
    assert resolve_click_id(_page(), {}, None, 200.0) == (None, None)


def test_a_cookie_is_remembered_only_when_nothing_is() -> None:
    assert resolve_click_id(_page(), {"_epik": "C"}, None, 5.0) == ("C", RememberedClick("C", 5.0))


def test_an_older_landing_arriving_late_does_not_replace_a_fresher_one() -> None:
    fresh = RememberedClick("FRESH", 300.0)
    assert resolve_click_id(_page(url="/?epik=LATE"), {}, fresh, 200.0) == ("LATE", fresh)


def test_pin_unauth_cookie_or_parameter_is_an_extra_hashed_external_id() -> None:
    assert pin_unauth_keys(_page(), {"_pin_unauth": " dWlkPU "}) == {
        "external_id": [sha256_hex("dWlkPU")]
    }
    assert pin_unauth_keys(_page(url="https://s.example/?pin_unauth=P1"), {}) == {
        "external_id": [sha256_hex("P1")]
    }
    assert pin_unauth_keys(_page(), {}) == {}
