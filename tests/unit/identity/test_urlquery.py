"""The plain-URL fast paths answer exactly what urllib answers, or step aside.

`identity.urlquery` skips `urlsplit` and `parse_qsl` for plain URLs; the click id, the stored
copy's scrub and `event_source_url` all rely on it. Each property compares against urllib
itself, on URL-like text built from the characters that matter to a URL parser.
"""

from __future__ import annotations

from contextlib import ExitStack
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

from hypothesis import example, given, settings
from hypothesis import strategies as st

from pinrelay.identity import clickid, piiscan
from pinrelay.identity.urlquery import plain_pairs, plain_query

_PIECES = st.sampled_from(
    [
        "https://", "shop.example", "/p", "?", "#", "&", "=", "epik", "email", "a@b.co",
        "%40", "%2", "+", " ", "\t", "\n", "[", "]", "é", "phone", "x", "1", "::", "?epik=",
        "pin_unauth", "utm_source", ";",
    ]
)  # fmt: skip
URLS = st.lists(_PIECES, max_size=12).map("".join)


def _urllib_query(url: str) -> str | None:
    try:
        return urlsplit(url).query
    except ValueError:
        return None


@given(URLS)
def test_plain_query_is_urlsplits_query_or_steps_aside(url: str) -> None:
    fast = plain_query(url)
    assert fast is None or fast == _urllib_query(url)


@given(URLS)
def test_plain_pairs_are_parse_qsls_pairs_or_step_aside(query: str) -> None:
    fast = plain_pairs(query)
    assert fast is None or fast == parse_qsl(query)


def test_the_usual_landing_url_takes_the_fast_path() -> None:
    url = "https://shop.example/checkout?epik=dj0yJnU9abc&utm_source=pinterest#top"
    assert plain_query(url) == "epik=dj0yJnU9abc&utm_source=pinterest"
    assert plain_pairs("epik=dj0yJnU9abc&utm_source=pinterest&empty=") == [
        ("epik", "dj0yJnU9abc"),
        ("utm_source", "pinterest"),
    ]


def test_escapes_and_odd_urls_go_to_urllib() -> None:
    assert plain_query("https://[::1/x?a=b") is None  # urlsplit raises: invalid IPv6
    assert plain_query(" https://shop.example/?a=b") is None  # urlsplit strips it
    assert plain_query("https://shop.example/?a=b\n") is None  # urlsplit removes it
    assert plain_query("https://shöp.example/?a=b") is None
    assert plain_pairs("email=jane%40shop.example") is None
    assert plain_pairs("q=red+shoes") is None


def _urllib_only(module: object, *names: str) -> ExitStack:
    """`module` with its fast paths answering None, so that urllib reads every URL: the
    code as it was before them, to compare with."""
    stack = ExitStack()
    for name in names:
        stack.enter_context(mock.patch.object(module, name, return_value=None))
    return stack


@settings(max_examples=300)
@given(URLS)
@example("https://shop.example/?ref=a@b.co&email=x")  # an address, and a PII name
def test_rewriting_a_query_gives_what_urllib_gave(url: str) -> None:
    for keep in (piiscan._hash_pii_param, piiscan._drop_pii_param):
        fast = piiscan._rewrite_query(url, keep)
        with _urllib_only(piiscan, "plain_query"):
            assert fast == piiscan._rewrite_query(url, keep)


@settings(max_examples=300)
@given(URLS)
def test_a_urls_parameters_are_what_urllib_reads(url: str) -> None:
    fast = clickid._query_values.__wrapped__(url)
    with _urllib_only(clickid, "plain_query", "plain_pairs"):
        assert fast == clickid._query_values.__wrapped__(url)


def test_turning_the_fast_paths_off_reaches_urllib() -> None:
    url = "https://shop.example/?email=jane@shop.example"
    with (
        _urllib_only(piiscan, "plain_query"),
        mock.patch.object(piiscan, "urlsplit", side_effect=ValueError) as urlsplit,
    ):
        assert piiscan._rewrite_query(url, piiscan._drop_pii_param) == url
    assert urlsplit.called  # so the comparisons above do compare with urllib
