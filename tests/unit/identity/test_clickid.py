"""The Pinterest click id: `epik` parameter, campaign, then `_epik` cookie (§5.4)."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.identity.clickid import click_id_of


def _message(url: str | None = None, search: str | None = None, campaign: Any = None) -> Any:
    page = {key: value for key, value in (("url", url), ("search", search)) if value}
    context: dict[str, Any] = {"page": page}
    if campaign is not None:
        context["campaign"] = campaign
    return {"type": "track", "context": context}


def test_url_parameter_wins_over_everything() -> None:
    message = _message(url="https://shop.example/p?x=1&epik=FROM_URL", campaign={"epik": "C"})
    assert click_id_of(message, {"_epik": "COOKIE"}) == "FROM_URL"


def test_page_search_when_the_url_has_none() -> None:
    message = _message(url="https://shop.example/p", search="?epik=FROM_SEARCH")
    assert click_id_of(message, {}) == "FROM_SEARCH"


def test_campaign_then_cookie() -> None:
    assert click_id_of(_message(campaign={"epik": "C"}), {"_epik": "K"}) == "C"
    assert click_id_of(_message(), {"_epik": "K"}) == "K"


def test_value_is_opaque_and_only_needs_to_be_non_empty() -> None:
    odd = "dj0yJnU9-_~.%20"
    assert click_id_of(_message(), {"_epik": odd}) == odd
    assert click_id_of(_message(url="https://x.example/?epik="), {"_epik": "  "}) is None


@pytest.mark.parametrize("url", ["http://[::1", "not a url", "https://x.example/#epik=1"])
def test_malformed_or_parameterless_urls_give_nothing(url: str) -> None:
    assert click_id_of(_message(url=url), {}) is None


def test_parameter_and_cookie_names_are_configurable() -> None:
    message = _message(url="https://x.example/?clk=abc&epik=no")
    assert click_id_of(message, {}, param="clk") == "abc"
    assert click_id_of(_message(), {"ptk": "P"}, cookie_names=("_epik", "ptk")) == "P"
