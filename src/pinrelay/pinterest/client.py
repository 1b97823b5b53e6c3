"""PinterestClient: POST one batch to `/ad_accounts/{id}/events` and say what came of it.

The client holds no secrets: the conversion token comes with each call and never appears in a
message, a repr or a log line (the client logs nothing; httpx masks the Authorization header in
its reprs, and anything Pinterest might echo back is redacted before it is read). What an answer
means is decided in outcome.py; what a failed transport means is decided in `_TRANSPORT_ERRORS`
below. Those are the only two places.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator, Sequence
from types import TracebackType

import httpx

from pinrelay import __version__
from pinrelay.errors import (
    ConfigError,
    DeliveryError,
    IntegrationConfigError,
    PayloadError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from pinrelay.pinterest.model import MAX_BATCH_EVENTS, MAX_TEST_BATCH_EVENTS
from pinrelay.pinterest.outcome import BatchResult, interpret_response
from pinrelay.pinterest.validation import ad_account_id_problem, encode_batch
from pinrelay.settings import DEFAULT_PINTEREST_TIMEOUT_SECONDS

DEFAULT_USER_AGENT = f"pinrelay/{__version__}"
MAX_CONNECTIONS = 20  # per client; one worker rarely has more batches in flight
KEEPALIVE_EXPIRY_SECONDS = 60.0
_REDACTED = "[redacted]"
# Visible ASCII only: a token with spaces or control characters would be echoed by the HTTP
# library's header validation error, so it never gets that far.
_TOKEN_SHAPE = re.compile(r"[\x21-\x7e]+")

# httpx's exceptions, most specific first: what each one means for a batch. A timeout or a
# broken connection says nothing about the events (retry); a request we could not even form
# will not form on a retry either.
_TRANSPORT_ERRORS: tuple[tuple[type[Exception], type[DeliveryError], str], ...] = (
    (httpx.TimeoutException, TransientDeliveryError, "no answer from Pinterest in time"),
    (httpx.UnsupportedProtocol, PermanentDeliveryError, "the Pinterest API URL is unusable"),
    (httpx.LocalProtocolError, PermanentDeliveryError, "the request could not be formed"),
    (httpx.TransportError, TransientDeliveryError, "could not reach Pinterest"),
    (httpx.DecodingError, TransientDeliveryError, "the answer from Pinterest was corrupted"),
    (httpx.HTTPError, TransientDeliveryError, "the request to Pinterest failed"),
    (httpx.InvalidURL, PermanentDeliveryError, "the Pinterest API URL is invalid"),
)


class PinterestClient:
    """A keep-alive connection pool to the Pinterest API (HTTP/2 where the server offers it).

    `transport` is the seam for tests: pass `httpx.ASGITransport(app=sandbox)` or an
    `httpx.MockTransport(handler)`.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout_seconds: float = DEFAULT_PINTEREST_TIMEOUT_SECONDS,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        self._base_url = _checked_base_url(base_url)
        self._http = httpx.AsyncClient(
            http2=transport is None,  # negotiated by ALPN over TLS; plain http stays HTTP/1.1
            transport=transport,
            timeout=httpx.Timeout(timeout_seconds),
            limits=httpx.Limits(
                max_connections=MAX_CONNECTIONS,
                max_keepalive_connections=MAX_CONNECTIONS,
                keepalive_expiry=KEEPALIVE_EXPIRY_SECONDS,
            ),
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"PinterestClient(base_url={self._base_url!r})"

    async def __aenter__(self) -> PinterestClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send_batch(
        self,
        *,
        ad_account_id: str,
        conversion_token: str,
        events: Sequence[bytes],
        test: bool,
    ) -> BatchResult:
        """Send already-encoded events (see validation.encode_event) as one request.

        Returns one EventResult per event, in order, or raises: TransientDeliveryError (retry
        later, maybe after `retry_after_seconds`), PermanentDeliveryError (dead-letter),
        IntegrationConfigError (pause the integration), PayloadError (a batching bug: too many
        or no events).
        """
        _check_ad_account_id(ad_account_id)
        _check_token(conversion_token)
        limit = MAX_TEST_BATCH_EVENTS if test else MAX_BATCH_EVENTS
        if len(events) > limit:
            mode = "test mode processes only the first 20" if test else "the v5 batch limit"
            raise PayloadError(f"{len(events)} events in one batch; at most {limit} ({mode})")
        body = encode_batch(events)
        started = time.perf_counter()
        with _translate_transport_errors(conversion_token):
            response = await self._http.post(
                f"{self._base_url}/ad_accounts/{ad_account_id}/events",
                content=body,
                params={"test": "true"} if test else None,
                headers={
                    "Authorization": f"Bearer {conversion_token}",
                    "Content-Type": "application/json",
                },
            )
        latency_seconds = time.perf_counter() - started
        return interpret_response(
            status=response.status_code,
            headers=response.headers,
            body=response.content.replace(conversion_token.encode("ascii"), _REDACTED.encode()),
            sent_count=len(events),
            ad_account_id=ad_account_id,
            latency_seconds=latency_seconds,
        )


@contextlib.contextmanager
def _translate_transport_errors(secret: str) -> Iterator[None]:
    """Turn an httpx failure into the DeliveryError it means, per `_TRANSPORT_ERRORS`."""
    try:
        yield
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        outcome, summary = next(
            (outcome, summary)
            for cause, outcome, summary in _TRANSPORT_ERRORS
            if isinstance(error, cause)
        )
        text = str(error).replace(secret, _REDACTED)
        detail = f"{type(error).__name__}: {text}" if text else type(error).__name__
        # `from None`: the httpx error holds the request, and with it the Authorization header.
        raise outcome(f"{summary} ({detail})") from None


def _checked_base_url(base_url: str) -> str:
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as error:
        raise ConfigError(f"Pinterest API URL {base_url!r} is invalid: {error}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigError(
            f"Pinterest API URL {base_url!r} must be an http(s) URL such as "
            "https://api.pinterest.com/v5"
        )
    return base_url.rstrip("/")


def _check_ad_account_id(ad_account_id: str) -> None:
    problem = ad_account_id_problem(ad_account_id)
    if problem is not None:
        shown = ad_account_id if len(ad_account_id) <= 40 else ad_account_id[:40] + "…"
        raise IntegrationConfigError(f"{problem} (got {shown!r})")


def _check_token(conversion_token: str) -> None:
    if not conversion_token:
        raise IntegrationConfigError(
            "the conversion token is empty: generate one in Ads Manager > Conversions"
        )
    if not _TOKEN_SHAPE.fullmatch(conversion_token):
        raise IntegrationConfigError(
            "the conversion token contains spaces or characters an HTTP header cannot carry: "
            "copy it again from Ads Manager > Conversions"
        )
