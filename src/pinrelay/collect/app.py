"""The collect server: Segment HTTP Tracking API compatible endpoints.

A thin Starlette app on purpose: this is the hot path (DESIGN.md: a FastAPI/pydantic route
serves ~8K req/s per core against ~50K for a thin route with msgspec). A 2xx means the
events are committed: the handler answers only after the group commit returns.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

import msgspec
import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from pinrelay.collect.body import MAX_REQUEST_BYTES, decode_json, read_body
from pinrelay.collect.browser import BrowserMiddleware, Visit
from pinrelay.collect.cors import check_origin, origin_allowed
from pinrelay.collect.direct import DirectRoutes
from pinrelay.collect.ingest import Ingestor, RequestInfo
from pinrelay.collect.messages import (
    AcceptedMessage,
    MessageRejected,
    check_message,
    parse_timestamp,
)
from pinrelay.collect.network import Network, public_origin, visitor_address
from pinrelay.collect.publicconfig import CONFIG_MAX_AGE, public_config
from pinrelay.collect.ratelimit import SourceRateLimiter
from pinrelay.collect.sdkconfig import rudderstack_source_config, segment_cdn_settings
from pinrelay.collect.static import collector
from pinrelay.credentials import hash_key
from pinrelay.erroranswers import answer_for, segment_error_body
from pinrelay.errorguard import ErrorGuard
from pinrelay.errors import (
    BadRequest,
    PayloadTooLarge,
    PinrelayError,
    Unauthorized,
)
from pinrelay.store.base import Store
from pinrelay.store.records import Source

logger = structlog.get_logger(__name__)
_encoder = msgspec.json.Encoder()

SINGLE_ENDPOINTS = ("track", "page", "screen", "identify", "group", "alias")
# analytics.js (@segment/analytics-next) posts to the first letter of the type, text/plain,
# and to /v1/b with its batching delivery strategy.
SHORT_ENDPOINTS = {
    "t": "track",
    "p": "page",
    "s": "screen",
    "i": "identify",
    "g": "group",
    "a": "alias",
}


def json_response(body: Any, status_code: int = 200) -> Response:
    return Response(_encoder.encode(body), status_code=status_code, media_type="application/json")


def error_response(status_code: int, message: str, **extra: Any) -> Response:
    return json_response(segment_error_body(status_code, message, **extra), status_code)


def error_answer(exc: PinrelayError, path: str = "") -> Response:
    """The JSON answer of a refused or failed request, on the direct route and through
    Starlette alike (erroranswers decides status and message). A commit that failed is a
    StoreError: 503 with Segment's body, so SDKs send the events again (nothing was kept)."""
    answer = answer_for(exc, path=path)
    response = error_response(answer.status, answer.message)
    response.headers.update(answer.headers)
    return response


def _write_key(request: Request, body: dict[str, Any]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "basic" and credentials:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized(
                "the Authorization header is not valid Basic auth: send the "
                "write key as the user name and an empty password"
            ) from None
        user, _, _ = decoded.partition(":")
        if user:
            return user
    key = body.get("writeKey")
    if isinstance(key, str) and key:
        return key
    raise Unauthorized(
        "no write key: send it as the HTTP Basic user name, or as writeKey in the body"
    )


class CollectApp:
    """Builds the collect ASGI app around an ingestor."""

    def __init__(
        self,
        store: Store,
        ingestor: Ingestor,
        *,
        trusted_proxies: tuple[Network, ...],
        rate_per_second: float = 0.0,
        max_request_bytes: int = MAX_REQUEST_BYTES,
    ) -> None:
        self._store = store
        self._ingestor = ingestor
        self._trusted = trusted_proxies
        self._limiter = SourceRateLimiter(rate_per_second)  # per source; 0: no limit
        self._max_request_bytes = max_request_bytes

    def build(self) -> ASGIApp:
        singles = {f"/v1/{kind}": self._single(kind) for kind in SINGLE_ENDPOINTS}
        routes = [Route(path, endpoint, methods=["POST"]) for path, endpoint in singles.items()]
        routes += [
            Route(f"/v1/{short}", self._single(kind), methods=["POST"])
            for short, kind in SHORT_ENDPOINTS.items()
        ]
        routes += [
            Route("/v1/batch", self._batch, methods=["POST"]),
            Route("/v1/b", self._batch, methods=["POST"]),
            Route("/v1/import", self._batch, methods=["POST"]),
            Route("/healthz", self._healthz, methods=["GET"]),
            Route("/readyz", self._readyz, methods=["GET"]),
            Route("/pinrelay.js", collector().endpoint, methods=["GET"]),
            Route("/v1/config", self._config, methods=["GET"]),
            Route("/v1/projects/{write_key}/settings", self._segment_settings, methods=["GET"]),
            Route("/sourceConfig", self._rudderstack_config, methods=["GET"]),
            Route("/sourceConfig/", self._rudderstack_config, methods=["GET"]),
        ]
        browsers = Middleware(BrowserMiddleware, allowed_anywhere=self._allowed_anywhere)
        app = Starlette(
            routes=routes,
            exception_handlers={PinrelayError: self._domain_error},
            middleware=[Middleware(ErrorGuard, action="collect.unexpected_error"), browsers],
        )
        shorts = {f"/v1/{short}": singles[f"/v1/{kind}"] for short, kind in SHORT_ENDPOINTS.items()}
        direct = {
            **singles,
            **shorts,
            "/v1/batch": self._batch,
            "/v1/b": self._batch,
            "/v1/import": self._batch,
        }
        return DirectRoutes(app, direct, on_error=error_answer)  # the hot path, see direct.py

    async def _domain_error(self, request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PinrelayError)  # the only class this handler is registered for
        return error_answer(exc, request.url.path)

    async def _healthz(self, request: Request) -> Response:
        return json_response({"status": "ok"})

    async def _readyz(self, request: Request) -> Response:
        if await self._store.ping():
            return json_response({"status": "ready"})
        return error_response(503, "the store does not answer")

    def _single(self, kind: str) -> Any:
        async def endpoint(request: Request) -> Response:
            body, source = await self._open(request)
            visit = self._visit(request, source)
            if visit is not None:
                body = visit.fill_anonymous_id([body])[0]
            accepted, rejected = self._check([body], request, default_type=kind, batch_sent_at=None)
            if rejected:
                problem = rejected[0]
                error_class = PayloadTooLarge if problem["too_large"] else BadRequest
                raise error_class(problem["error"])
            await self._ingestor.ingest(source, accepted, self._request_info(request))
            return self._answer({"success": True}, visit, accepted)

        return endpoint

    async def _batch(self, request: Request) -> Response:
        body, source = await self._open(request)
        batch = body.get("batch")
        if not isinstance(batch, list):
            raise BadRequest("batch: expected an array of messages")
        if not batch:
            raise BadRequest("batch: the array is empty")
        sent_at = self._sent_at(body)
        shared_context = body.get("context") if isinstance(body.get("context"), dict) else None
        if shared_context:
            batch = [
                {**m, "context": {**shared_context, **(m.get("context") or {})}}
                # a message whose own context is not an object is rejected alone, by its check
                if isinstance(m, dict) and isinstance(m.get("context") or {}, dict)
                else m
                for m in batch
            ]
        visit = self._visit(request, source)
        if visit is not None:
            batch = visit.fill_anonymous_id(batch)
        accepted, rejected = self._check(batch, request, default_type=None, batch_sent_at=sent_at)
        for problem in rejected:
            problem.pop("too_large")
        if not accepted:
            return error_response(
                400,
                f"all {len(rejected)} events were rejected; see rejected[] for why",
                rejected=rejected,
            )
        await self._ingestor.ingest(source, accepted, self._request_info(request))
        if rejected:
            logger.info(
                "batch partly rejected",
                action="collect.rejected",
                source=source.id,
                accepted=len(accepted),
                rejected=len(rejected),
            )
            return self._answer(
                {"success": True, "accepted": len(accepted), "rejected": rejected}, visit, accepted
            )
        return self._answer({"success": True}, visit, accepted)

    async def _open(self, request: Request) -> tuple[dict[str, Any], Source]:
        body = decode_json(await read_body(request, self._max_request_bytes))
        if not isinstance(body, dict):
            raise BadRequest(f"expected a JSON object, got {type(body).__name__}")
        source = self._store.source_for_write_key_hash(hash_key(_write_key(request, body)))
        if source is None:
            raise Unauthorized(
                "unknown write key: copy the write key of your source from "
                "pinrelay (it is shown once when the source is created)"
            )
        self._limiter.take(source.id)
        check_origin(
            source.name,
            source.allowed_origins,
            request.headers.get("origin"),
            request.scope.setdefault("state", {}),
        )
        return body, source

    def _sent_at(self, body: dict[str, Any]) -> datetime | None:
        try:
            return parse_timestamp(body.get("sentAt"), "sentAt")
        except MessageRejected as exc:
            raise BadRequest(exc.message) from None

    def _check(
        self,
        raw_messages: list[Any],
        request: Request,
        *,
        default_type: str | None,
        batch_sent_at: datetime | None,
    ) -> tuple[list[AcceptedMessage], list[dict[str, Any]]]:
        received_at = datetime.now(UTC)
        accepted: list[AcceptedMessage] = []
        rejected: list[dict[str, Any]] = []
        for index, raw in enumerate(raw_messages):
            try:
                accepted.append(
                    check_message(
                        raw,
                        default_type=default_type,
                        received_at=received_at,
                        batch_sent_at=batch_sent_at,
                    )
                )
            except MessageRejected as exc:
                message_id = raw.get("messageId") if isinstance(raw, dict) else None
                rejected.append(
                    {
                        "index": index,
                        "messageId": message_id if isinstance(message_id, str) else None,
                        "error": exc.message,
                        "too_large": exc.too_large,
                    }
                )
        return accepted, rejected

    def _request_info(self, request: Request) -> RequestInfo:
        peer = request.client.host if request.client else None
        address = visitor_address(peer, request.headers.get("x-forwarded-for"), self._trusted)
        return RequestInfo(
            client_ip=address,
            cookies=dict(request.cookies),
            user_agent=request.headers.get("user-agent"),
            own_proxies=self._trusted,
        )

    # browsers (pinrelay.js) ---------------------------------------------------------------
    def _allowed_anywhere(self, origin: str) -> bool:
        return any(origin_allowed(s.allowed_origins, origin) for s in self._store.list_sources())

    def _public_origin(self, request: Request) -> tuple[str, str]:
        """(scheme, host) as the browser sees them: behind a trusted proxy, its
        X-Forwarded-Proto/Host (Secure cookies, cookie domain, SDK settings' API host)."""
        return public_origin(
            request.url.scheme,
            request.headers.get("host", request.url.hostname or ""),
            request.client.host if request.client else None,
            request.headers,
            self._trusted,
        )

    def _visit(self, request: Request, source: Source) -> Visit | None:
        if "origin" not in request.headers:  # a server-side sender: nothing to do
            return None
        scheme, host = self._public_origin(request)
        return Visit.of(request, source, scheme == "https", host=host)

    def _answer(
        self, body: dict[str, Any], visit: Visit | None, accepted: list[AcceptedMessage]
    ) -> Response:
        response = json_response(body)
        if visit is not None:
            visit.set_cookies(response, [item.message for item in accepted])
        return response

    async def _config(self, request: Request) -> Response:
        """The public config of a write key's source, for pinrelay.js (no secrets in it)."""
        key = request.query_params.get("writeKey", "")
        source = self._store.source_for_write_key_hash(hash_key(key)) if key else None
        if source is None:
            raise Unauthorized("unknown write key: pass the source's write key as ?writeKey=")
        check_origin(
            source.name,
            source.allowed_origins,
            request.headers.get("origin"),
            request.scope.setdefault("state", {}),
        )
        integrations = self._store.list_integrations(source.id)
        config = public_config(source, integrations, self._ingestor.pipelines)
        response = json_response(config)
        response.headers["cache-control"] = f"private, max-age={CONFIG_MAX_AGE}"
        return response

    # browser SDKs' own settings (analytics.js, RudderStack) -----------------------------------
    def _public_source(self, request: Request, write_key: str) -> Source:
        source = self._store.source_for_write_key_hash(hash_key(write_key)) if write_key else None
        if source is None:
            raise Unauthorized("unknown write key: use the write key of a pinrelay source")
        check_origin(
            source.name,
            source.allowed_origins,
            request.headers.get("origin"),
            request.scope.setdefault("state", {}),  # an allowed origin gets CORS headers
        )
        return source

    async def _segment_settings(self, request: Request) -> Response:
        """analytics.js's CDN settings, when the site loads it with `cdnURL` set to pinrelay."""
        write_key = str(request.path_params["write_key"])
        self._public_source(request, write_key)  # unknown key: 401; other origin: 403
        scheme, host = self._public_origin(request)
        response = json_response(segment_cdn_settings(write_key, host, scheme))
        response.headers["cache-control"] = f"private, max-age={CONFIG_MAX_AGE}"
        return response

    async def _rudderstack_config(self, request: Request) -> Response:
        """RudderStack's JS SDK asks `<configUrl>/sourceConfig` before it sends anything."""
        write_key = request.query_params.get("writeKey", "")
        if not write_key:
            write_key = _write_key(request, {})
        source = self._public_source(request, write_key)
        response = json_response(rudderstack_source_config(source, write_key))
        response.headers["cache-control"] = f"private, max-age={CONFIG_MAX_AGE}"
        return response
