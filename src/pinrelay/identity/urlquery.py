"""A URL's query read without urllib where urllib would give the same answer.

Every event's page URL is read three times: for its click id (`identity.clickid`), for the
stored copy and for `event_source_url` (`identity.piiscan`). With an `epik` in it each URL is
new, so no memo helps, and `urlsplit` + `parse_qsl` were ~6% of an event's CPU. Most URLs are
plain ASCII with no percent escapes or `+` in the query: for those the query is the text
between the first `?` and the first `#`, and its pairs need no unquoting. For anything else
(escapes, `+`, brackets, tabs or newlines, leading spaces, non-ASCII) these functions answer
None and the caller asks urllib, whose rules (and errors) then apply as before.
"""

from __future__ import annotations

_URLLIB_ONLY = frozenset("[]\t\r\n")  # urlsplit removes, or raises on, these


def plain_query(url: str) -> str | None:
    """`urlsplit(url).query` for a URL whose split needs none of urllib's special cases,
    else None (ask urllib)."""
    if not url.isascii() or url[:1] <= " " or not _URLLIB_ONLY.isdisjoint(url):
        return None
    return url.partition("#")[0].partition("?")[2]


def plain_pairs(query: str) -> list[tuple[str, str]] | None:
    """`parse_qsl(query)` (blank values left out) for a query without `%` or `+`, whose
    names and values need no unquoting; None otherwise (ask urllib)."""
    if "%" in query or "+" in query:
        return None
    pairs = []
    for piece in query.split("&"):
        name, equals, value = piece.partition("=")
        if equals and value:
            pairs.append((name, value))
    return pairs
