"""Hypothesis fuzzes the collect API over real HTTP: whatever the body and headers, no 5xx,
and everything accepted can be read back through the admin API (issue 13, "done when").

Messages are generated near the Segment shape (known keys with values of any JSON type,
plus unknown keys, nesting up to past the limit), because random bytes alone stop at the
JSON decoder and never reach the checks, the identity stage or the pipelines. The budget
is small in CI (FUZZ_EXAMPLES per endpoint); scripts/fuzz runs the same test with 10,000.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections import Counter
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.servers import GatewayFactory, GatewayHandle

FUZZ_EXAMPLES = int(os.environ.get("PINRELAY_FUZZ_EXAMPLES", "150"))
SHOP = "https://shop.example"
POST_ENDPOINTS = ("track", "page", "screen", "identify", "group", "alias", "batch", "import")

_text = st.text(max_size=40)
_header_text = (
    st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=60)
    .map(str.strip)
    .filter(bool)  # what HTTP allows in a header value: httpx refuses the rest itself
)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | _text
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"a": value}
    return value


_timestamps = (
    st.sampled_from(
        ["2026-11-22T10:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "nope"]
    )
    | st.datetimes().map(lambda d: d.isoformat())
    | _json
)
_urls = (
    st.sampled_from(
        [
            "https://shop.example/p?epik=abc&email=jane%40x.example",
            "https://shop.example/?phone=%2B14155550123#frag",
            "http://[::1",
            "?",
            "https://x.example/" + "a" * 300,
        ]
    )
    | _text
)
_context = st.fixed_dictionaries(
    {},
    optional={
        "ip": st.sampled_from(["203.0.113.5", "::1", "10.0.0.1", "999.1.1.1"]) | _json,
        "userAgent": st.sampled_from(["Mozilla/5.0 (X11)", "Pinterestbot", ""]) | _json,
        "page": st.fixed_dictionaries({}, optional={"url": _urls, "referrer": _urls}) | _json,
        "traits": st.dictionaries(
            st.sampled_from(["email", "Email", "phone", "phone_number", "name", "birthday"]),
            _json | st.sampled_from(["jane@x.example", "+1 415 555 0123", "Jane Doe"]),
        ),
        "consent": st.fixed_dictionaries(
            {}, optional={"categoryPreferences": st.dictionaries(_text, _json, max_size=3)}
        )
        | _json,
        "device": st.fixed_dictionaries({}, optional={"advertisingId": _json}) | _json,
    },
)
_message = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["track", "page", "identify", "screen", "bogus"]) | _json,
        "event": st.sampled_from(["Order Completed", "Product Added", "Lead", ""]) | _json,
        "name": _json,
        "userId": st.sampled_from(["u1", "jane@x.example", ""]) | _json,
        "anonymousId": st.sampled_from(["a1"]) | _json,
        "messageId": st.uuids().map(str) | _json,
        "timestamp": _timestamps,
        "sentAt": _timestamps,
        "originalTimestamp": _timestamps,
        "properties": st.dictionaries(_text, _json, max_size=5)
        | st.fixed_dictionaries(
            {},
            optional={
                "order_id": _json,
                "revenue": _json,
                "value": _json,
                "currency": st.sampled_from(["USD", "usd", "XXX"]) | _json,
                "products": st.lists(st.dictionaries(_text, _json, max_size=4), max_size=3),
                "url": _urls,
                "deep": st.integers(20, 40).map(_deep),
            },
        )
        | _json,
        "traits": st.dictionaries(_text, _json, max_size=4) | _json,
        "context": _context | _json,
        "integrations": _json,
    },
).flatmap(
    lambda base: st.dictionaries(_text, _json, max_size=2).map(lambda extra: {**extra, **base})
)
# Mostly well-formed messages with odd values inside: these reach identity and pipelines.
_good_message = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["track", "track", "page", "identify", "screen"]),
        "event": st.sampled_from(["Order Completed", "Product Added", "Lead", "Signed Up"]),
        "userId": st.sampled_from(["u1", "jane@x.example", "+14155550123"]),
        "messageId": st.uuids().map(str),
        "context": _context,
    },
    optional={
        "anonymousId": _text,
        "timestamp": _timestamps,
        "sentAt": _timestamps,
        "properties": st.fixed_dictionaries(
            {},
            optional={
                "order_id": _json,
                "revenue": _json,
                "currency": st.sampled_from(["USD", "usd", "XXX"]) | _json,
                "products": st.lists(st.dictionaries(_text, _json, max_size=4), max_size=3),
                "url": _urls,
                "deep": st.integers(20, 40).map(_deep),
            },
        ),
        "traits": st.dictionaries(_text, _json, max_size=4),
    },
)
_odd_body = (
    _message
    | st.fixed_dictionaries(
        {"batch": st.lists(_message | _json, max_size=5)},
        optional={"sentAt": _timestamps, "context": _context | _json, "writeKey": _json},
    )
    | _json
)
_good_batch = st.fixed_dictionaries(
    {"batch": st.lists(_good_message | _good_message | _message, min_size=1, max_size=5)},
    optional={"sentAt": _timestamps, "context": _context},
)
# Three bodies in four are shaped for the endpoint; the fourth is anything.
_BODIES = {
    "single": st.one_of(_good_message, _good_message, _good_message, _odd_body),
    "batch": st.one_of(_good_batch, _good_batch, _good_batch, _odd_body),
}


def _encode(body: Any, how: str) -> bytes:
    raw = json.dumps(body).encode()
    if how == "gzip":
        return gzip.compress(raw)
    if how == "truncated-gzip":
        return gzip.compress(raw)[:-5]
    if how == "garbage":
        return raw[: len(raw) // 2] + b"\xff\xfe{"
    return raw


def _mostly(usual: Any, odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`usual` about nine times in ten: odd headers are tried without drowning the rest."""
    return st.sampled_from(range(10)).flatmap(lambda n: odd if n == 0 else st.just(usual))


_requests = st.fixed_dictionaries(
    {
        "encoding": st.sampled_from(["plain"] * 6 + ["gzip", "gzip", "truncated-gzip", "garbage"]),
        "auth": st.sampled_from(["basic"] * 6 + ["body", "none", "garbage", "bearer"]),
        "origin": _mostly(None, st.sampled_from([SHOP, "https://evil.example", "null"]))
        | _mostly(None, _header_text),
        "content_encoding": _mostly(None, st.sampled_from(["identity", "br"]) | _header_text),
        "content_type": _mostly("application/json", _header_text),
        "forwarded_for": _mostly(None, _header_text),
        "user_agent": _mostly(None, _header_text),
        "cookie": _mostly(None, _header_text),
    }
)


def _send(client: httpx.Client, key: str, path: str, spec: dict[str, Any]) -> int:
    body = spec["body"]
    if spec["auth"] == "body" and isinstance(body, dict):
        body = {**body, "writeKey": key}
    headers = {"content-type": spec["content_type"]}
    if spec["auth"] == "basic":
        headers["authorization"] = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    elif spec["auth"] == "garbage":
        headers["authorization"] = "Basic %%%not-base64"
    elif spec["auth"] == "bearer":
        headers["authorization"] = f"Bearer {key}"
    encoding = spec["encoding"]
    if encoding in ("gzip", "truncated-gzip"):
        headers["content-encoding"] = "gzip"
    elif spec["content_encoding"] is not None:
        headers["content-encoding"] = spec["content_encoding"]
    for name, field in (
        ("origin", "origin"),
        ("x-forwarded-for", "forwarded_for"),
        ("user-agent", "user_agent"),
        ("cookie", "cookie"),
    ):
        if spec[field] is not None:
            headers[name] = spec[field]
    response = client.post(path, content=_encode(body, encoding), headers=headers)
    return response.status_code


# The gateway's worker runs in another thread while Hypothesis generates; should it draw
# from the global `random` (retry jitter), Hypothesis warns about randomness in strategies.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.support.servers import gateway_factory, running_sandbox

    with running_sandbox() as sandbox, gateway_factory(tmp_path_factory.mktemp("fuzz")) as start:
        gateway: GatewayFactory = start
        yield gateway(
            collect_rate_limit_per_second=0,
            trusted_proxies=["127.0.0.1"],
            pinterest_api_url=f"{sandbox.url}/v5",  # deliveries succeed: no retry jitter
        )


@pytest.fixture(scope="module")
def collect_client(fuzzed: GatewayHandle) -> Any:
    """One keep-alive client: a new one per request costs 30 ms, the request itself 1."""
    # a generous timeout: on a loaded machine one group commit can take seconds
    with httpx.Client(base_url=fuzzed.collect_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def fuzzed_key(fuzzed: GatewayHandle) -> str:
    source = fuzzed.create_source("Fuzzed")
    fuzzed.admin("PATCH", f"/v1/admin/sources/{source['id']}", json={"allowed_origins": [SHOP]})
    fuzzed.create_integration(source["id"])  # so the pipelines and validation run too
    key: str = source["write_key"]
    return key


STATUSES: dict[str, Counter[int]] = {}


@pytest.mark.timeout(0 if FUZZ_EXAMPLES > 1000 else 600)
@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_no_body_or_header_makes_a_5xx(
    collect_client: httpx.Client, fuzzed_key: str, endpoint: str
) -> None:
    seen = STATUSES.setdefault(endpoint, Counter())

    shape = "batch" if endpoint in ("batch", "import") else "single"

    @given(spec=_requests, body=_BODIES[shape])
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(spec: dict[str, Any], body: Any) -> None:
        status = _send(collect_client, fuzzed_key, f"/v1/{endpoint}", {**spec, "body": body})
        seen[status] += 1
        assert status < 500, spec

    run()
    print(f"\nfuzz {endpoint}: {sum(seen.values())} cases, statuses {dict(sorted(seen.items()))}")


@pytest.mark.timeout(600)
@given(
    write_key=_header_text,
    origin=st.none() | _header_text,
    if_none_match=st.none() | _header_text,
)
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None)
def test_the_get_endpoints_never_answer_5xx(
    collect_client: httpx.Client,
    fuzzed_key: str,
    write_key: str,
    origin: str | None,
    if_none_match: str | None,
) -> None:
    headers = {k: v for k, v in (("origin", origin), ("if-none-match", if_none_match)) if v}
    for path, params in (
        ("/v1/config", {"writeKey": write_key}),
        ("/v1/config", {"writeKey": fuzzed_key}),
        ("/pinrelay.js", {"v": write_key}),
    ):
        response = collect_client.get(path, params=params, headers=headers)
        assert response.status_code < 500


def test_everything_accepted_reads_back_through_the_admin_api(fuzzed: GatewayHandle) -> None:
    """Runs after the fuzzing above (same module gateway): no stored event breaks a read."""
    listed = fuzzed.admin("GET", "/v1/admin/events", params={"limit": 200})
    assert listed.status_code == 200
    for event in listed.json()[:50]:
        journey = fuzzed.admin("GET", f"/v1/admin/events/{event['seq']}")
        assert journey.status_code == 200
    deliveries = fuzzed.admin("GET", "/v1/admin/deliveries", params={"limit": 200})
    assert deliveries.status_code < 500
