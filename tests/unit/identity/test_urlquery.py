"""The plain-URL fast paths answer exactly what urllib answers, or step aside.

`identity.urlquery` skips `urlsplit` and `parse_qsl` for plain URLs; the click id, the stored
copy's scrub and `event_source_url` all rely on it. Each property compares against urllib
itself, on URL-like text built from the characters that matter to a URL parser.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from hypothesis import given, settings
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


def _reference_rewrite(url: str, keep: piiscan.Keep) -> str:
    """piiscan._rewrite_query as it was before the fast path: urllib for every URL."""
    if "?" not in url or "=" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, raw in pairs if (value := keep(name, raw)) is not None]
    if kept == pairs:
        return url
    return urlunsplit(parts._replace(query=urlencode(kept)))


@settings(max_examples=300)
@given(URLS)
def test_rewriting_a_query_gives_what_urllib_gave(url: str) -> None:
    for keep in (piiscan._hash_pii_param, piiscan._drop_pii_param):
        assert piiscan._rewrite_query(url, keep) == _reference_rewrite(url, keep)


def _reference_values(url_or_query: str) -> dict[str, str]:
    query = url_or_query
    if "?" in url_or_query or "://" in url_or_query:
        try:
            query = urlsplit(url_or_query).query
        except ValueError:
            return {}
    values: dict[str, str] = {}
    for key, value in parse_qsl(query.lstrip("?")):
        if key not in values and value.strip():
            values[key] = value.strip()
    return values


@settings(max_examples=300)
@given(URLS)
def test_a_urls_parameters_are_what_urllib_reads(url: str) -> None:
    assert clickid._query_values.__wrapped__(url) == _reference_values(url)
