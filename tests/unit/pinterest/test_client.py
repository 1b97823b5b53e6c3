"""PinterestClient: what it sends, and what each answer or failure becomes.

Against the real sandbox app (httpx.ASGITransport) and small fake handlers (httpx.MockTransport)
for what the sandbox does not do: dropped connections, timeouts, garbage.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from pinrelay import __version__
from pinrelay.errors import (
    ConfigError,
    DeliveryError,
    IntegrationConfigError,
    PayloadError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from pinrelay.pinterest.client import PinterestClient
from pinrelay.pinterest.outcome import BatchResult
from pinrelay.pinterest.sandbox import SandboxConfig, create_sandbox_app
from pinrelay.pinterest.validation import encode_event

from .helpers import AD_ACCOUNT_ID, NOW, OTHER_AD_ACCOUNT_ID, TOKEN, encoded_events, make_event

pytestmark = pytest.mark.anyio

Handler = Callable[[httpx.Request], httpx.Response]
PROCESSED = {"status": "processed", "error_message": "", "warning_message": ""}


def fake_pinterest(handler: Handler) -> PinterestClient:
    return PinterestClient("https://api.example/v5", transport=httpx.MockTransport(handler))


async def send(
    client: PinterestClient,
    events: list[bytes] | None = None,
    *,
    test: bool = False,
    ad_account_id: str = AD_ACCOUNT_ID,
    token: str = TOKEN,
) -> BatchResult:
    return await client.send_batch(
        ad_account_id=ad_account_id,
        conversion_token=token,
        events=encoded_events(1) if events is None else events,
        test=test,
    )


# --- against the sandbox ----------------------------------------------------------------------


async def test_a_good_batch_comes_back_processed_in_order(pinterest: PinterestClient) -> None:
    events = encoded_events(2)
    events.append(encode_event(make_event(event_id="odd", event_name="subscription")))
    result = await send(pinterest, events)
    assert result.http_status == 200
    assert [event.status for event in result.events] == ["processed"] * 3
    assert result.events[0].warning_message is None  # a fully matched event draws no warning
    assert result.events[2].warning_message is not None
    assert "'Unknown' event" in result.events[2].warning_message
    assert (result.rate_limit.limit, result.rate_limit.remaining) == (120_000, 119_999)
    assert result.rate_limit.reset_seconds == 60.0
    assert result.request_id is not None
    assert result.latency_seconds > 0


async def test_failed_events_come_back_failed_with_pinterests_reason(
    pinterest: PinterestClient,
) -> None:
    old = encode_event(make_event(event_id="old", event_time=NOW - 8 * 86400))
    result = await send(pinterest, [*encoded_events(1), old])
    assert result.http_status == 422  # mixed batch: the sandbox default (section 4.2)
    assert [event.processed for event in result.events] == [True, False]
    assert result.events[1].error_message is not None
    assert result.events[1].error_message.startswith(
        "Invalid event_timestamp parameter. Given timestamp is in the past."
    )
    assert result.error_code == 953


async def test_test_mode_reaches_the_sandbox_as_test(
    pinterest: PinterestClient, http: httpx.AsyncClient
) -> None:
    await send(pinterest, test=True)
    [recorded] = (await http.get("/_sandbox/events")).json()
    assert recorded["test"] is True


async def test_an_unknown_token_pauses_the_integration(pinterest: PinterestClient) -> None:
    with pytest.raises(IntegrationConfigError, match="conversion token rejected"):
        await send(pinterest, token="pina_unknown_token")


async def test_an_ad_account_the_token_cannot_use_pauses_the_integration(
    pinterest: PinterestClient,
) -> None:
    with pytest.raises(IntegrationConfigError, match="has no access to ad account"):
        await send(pinterest, ad_account_id=OTHER_AD_ACCOUNT_ID)


async def test_a_schema_violation_is_permanent(pinterest: PinterestClient) -> None:
    event = make_event()
    event["custom_data"]["category_name"] = "shirts"
    with pytest.raises(PermanentDeliveryError, match=r"'category_name' was unexpected"):
        await send(pinterest, [encode_event(event)])


async def test_the_rate_limit_is_transient_and_says_when_to_retry() -> None:
    app = create_sandbox_app(SandboxConfig(rate_limit_per_minute=1, clock=lambda: NOW))
    async with PinterestClient("http://sandbox/v5", transport=httpx.ASGITransport(app)) as client:
        await send(client, token="pina_sandbox_token")
        with pytest.raises(TransientDeliveryError) as caught:
            await send(client, token="pina_sandbox_token")
    assert caught.value.retry_after_seconds == 60.0


@pytest.mark.parametrize("status", [502, 503])
async def test_injected_outages_are_transient(
    pinterest: PinterestClient, http: httpx.AsyncClient, status: int
) -> None:
    await http.post("/_sandbox/faults", json={"status": status})
    with pytest.raises(TransientDeliveryError, match=f"HTTP {status}"):
        await send(pinterest)


# --- what goes over the wire ------------------------------------------------------------------


@pytest.mark.parametrize(("test", "query"), [(False, b""), (True, b"test=true")])
async def test_the_request_is_a_bearer_json_post_of_the_encoded_events(
    test: bool, query: bytes
) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"num_events_received": 2, "num_events_processed": 2, "events": [PROCESSED] * 2}
        return httpx.Response(200, json=body)

    events = encoded_events(2)
    async with fake_pinterest(handler) as client:
        await send(client, events, test=test)
    [request] = seen
    assert request.method == "POST"
    assert request.url.path == f"/v5/ad_accounts/{AD_ACCOUNT_ID}/events"
    assert request.url.query == query
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == f"pinrelay/{__version__}"
    assert request.content == b'{"data":[' + b",".join(events) + b"]}"


def test_the_base_url_may_end_with_a_slash_but_must_be_http() -> None:
    assert repr(PinterestClient("http://127.0.0.1:8090/v5/")) == (
        "PinterestClient(base_url='http://127.0.0.1:8090/v5')"
    )
    for bad in ("ftp://api.pinterest.com/v5", "api.pinterest.com/v5", "http://"):
        with pytest.raises(ConfigError, match="Pinterest API URL"):
            PinterestClient(bad)


# --- refused before sending -------------------------------------------------------------------


def never_called(request: httpx.Request) -> httpx.Response:
    raise AssertionError("nothing should have been sent")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"ad_account_id": "2612345678901x"}, IntegrationConfigError, "not the Tag ID"),
        ({"token": ""}, IntegrationConfigError, "conversion token is empty"),
        ({"token": "pina_abc def"}, IntegrationConfigError, "characters an HTTP header"),
        ({"token": "pina_abc\r\nX-Evil: 1"}, IntegrationConfigError, "characters an HTTP header"),
        ({"events": []}, PayloadError, "1 to 1000 events"),
        ({"events": [b"{}"] * 1001}, PayloadError, "at most 1000"),
        ({"events": [b"{}"] * 21, "test": True}, PayloadError, "first 20"),
    ],
)
async def test_impossible_requests_are_refused_without_sending(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    async with fake_pinterest(never_called) as client:
        with pytest.raises(error, match=match):
            await send(client, **kwargs)  # type: ignore[arg-type]  # a table of typed arguments


async def test_twenty_events_are_fine_in_test_mode() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"num_events_received": 20, "num_events_processed": 20, "events": [PROCESSED] * 20}
        return httpx.Response(200, json=body)

    async with fake_pinterest(handler) as client:
        result = await send(client, encoded_events(20), test=True)
    assert result.processed_count == 20


# --- transport failures -----------------------------------------------------------------------


def httpx_errors() -> list[type[Exception]]:
    """Every exception httpx can raise from a request (HTTPStatusError needs raise_for_status)."""
    found: list[type[Exception]] = [httpx.InvalidURL]
    for value in vars(httpx).values():
        if (
            isinstance(value, type)
            and issubclass(value, httpx.HTTPError)
            and value is not httpx.HTTPStatusError
        ):
            found.append(value)
    return found


PERMANENT_TRANSPORT_ERRORS = {httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.InvalidURL}


@pytest.mark.parametrize("error_type", httpx_errors(), ids=lambda t: t.__name__)
async def test_every_httpx_failure_becomes_a_delivery_error(error_type: type[Exception]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if error_type in (httpx.InvalidURL, httpx.HTTPError):
            raise error_type("boom")
        raise error_type("boom", request=request)  # type: ignore[call-arg]  # RequestError's signature

    async with fake_pinterest(handler) as client:
        with pytest.raises(DeliveryError) as caught:
            await send(client)
    expected = (
        PermanentDeliveryError
        if error_type in PERMANENT_TRANSPORT_ERRORS
        else TransientDeliveryError
    )
    assert type(caught.value) is expected
    assert f"{error_type.__name__}: boom" in str(caught.value)
    assert caught.value.__cause__ is None  # the httpx error holds the request and its token


@pytest.mark.parametrize(
    ("error", "summary"),
    [
        (httpx.ReadTimeout, "no answer from Pinterest in time"),
        (httpx.ConnectTimeout, "no answer from Pinterest in time"),
        (httpx.ConnectError, "could not reach Pinterest"),
        (httpx.RemoteProtocolError, "could not reach Pinterest"),
    ],
)
async def test_timeouts_and_dropped_connections_are_transient(
    error: type[httpx.TransportError], summary: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("peer closed connection", request=request)

    async with fake_pinterest(handler) as client:
        with pytest.raises(TransientDeliveryError, match=summary):
            await send(client)


async def test_a_silent_timeout_still_names_what_happened() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("", request=request)

    async with fake_pinterest(handler) as client:
        with pytest.raises(TransientDeliveryError) as caught:
            await send(client)
    assert str(caught.value) == "no answer from Pinterest in time (ReadTimeout)"


async def test_a_garbage_200_is_transient() -> None:
    async with fake_pinterest(
        lambda request: httpx.Response(200, text="<html>ok</html>")
    ) as client:
        with pytest.raises(TransientDeliveryError, match="unreadable answer"):
            await send(client)


async def test_a_closed_client_cannot_send() -> None:
    client = fake_pinterest(never_called)
    async with client:
        pass
    with pytest.raises(RuntimeError, match="closed"):
        await send(client)


# --- the token never leaks ------------------------------------------------------------------

PLANTED = "pina_PLANTED_do_not_leak_0123456789"


def echoing_handler(status: int) -> Handler:
    """A hostile server that puts the Authorization header into every text it answers."""

    def handler(request: httpx.Request) -> httpx.Response:
        echoed = request.headers["authorization"]
        event = {"status": "failed", "error_message": echoed, "warning_message": echoed}
        details = {"num_events_received": 1, "num_events_processed": 0, "events": [event]}
        if status == 200:
            return httpx.Response(200, json=details)
        if status == 422:
            return httpx.Response(422, json={"code": 953, "message": echoed, "details": details})
        if status == 0:
            raise httpx.ConnectError(f"could not send {echoed}", request=request)
        if status == 1:
            raise httpx.LocalProtocolError(f"Illegal header value {echoed!r}")
        return httpx.Response(status, text=json.dumps({"code": 1, "message": echoed}))

    return handler


async def outcome_of(client: PinterestClient, token: str) -> BatchResult | DeliveryError:
    try:
        return await send(client, token=token)
    except DeliveryError as error:
        return error


@pytest.mark.parametrize("status", [200, 422, 400, 401, 403, 404, 429, 500, 503, 0, 1])
async def test_the_token_never_appears_in_results_errors_or_logs(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    async with fake_pinterest(echoing_handler(status)) as client:
        outcome = await outcome_of(client, PLANTED)
    texts = [str(outcome), repr(outcome), repr(client), caplog.text]
    if isinstance(outcome, DeliveryError):
        assert outcome.__cause__ is None
        texts.append(repr(outcome.args))
    else:
        assert outcome.events[0].error_message is not None
        assert "[redacted]" in outcome.events[0].error_message
    if status >= 200:
        assert caplog.records  # httpx logged the answered request, and nothing of the token
    for text in texts:
        assert PLANTED not in text
        assert PLANTED[5:] not in text


async def test_a_refused_token_is_not_echoed() -> None:
    async with fake_pinterest(never_called) as client:
        with pytest.raises(IntegrationConfigError) as caught:
            await send(client, token=PLANTED + "\n")
    assert PLANTED not in str(caught.value)
