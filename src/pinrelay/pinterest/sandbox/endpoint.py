"""`POST /v5/ad_accounts/{ad_account_id}/events`: the gates a request passes, in order.

    injected fault -> token (401) -> ad account id format (400) -> access (403) -> known ad
    account (404) -> rate limit (429) -> test flag, Content-Type, size, JSON (400/413) -> body

Every answer carries X-RateLimit-* and x-pinterest-rid headers (section 4.4) and is logged
without the token. The order of the gates on the live API is UNVERIFIED; this one puts the
cheap, request-wide checks first, as an API gateway would.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
import msgspec
from starlette.requests import Request
from starlette.responses import Response

from pinrelay.pinterest.model import DetailedError, ErrorBody
from pinrelay.pinterest.sandbox import messages
from pinrelay.pinterest.sandbox.config import ANY_AD_ACCOUNT, SandboxConfig, mask_token
from pinrelay.pinterest.sandbox.faults import Fault, FaultQueue, fault_answer
from pinrelay.pinterest.sandbox.injected import DroppedResponse, fail_chosen_events
from pinrelay.pinterest.sandbox.processing import answer_events_request
from pinrelay.pinterest.sandbox.ratelimit import FixedWindowRateLimiter, RateLimitState
from pinrelay.pinterest.sandbox.recorder import RecordedEvent, RequestLogEntry, SandboxRecorder
from pinrelay.pinterest.validation import ad_account_id_problem

JSON = "application/json"
_Unreadable = tuple[int, ErrorBody]  # status and body for a request body we cannot judge


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    body: bytes
    rate_limit: RateLimitState
    media_type: str = JSON
    code: int | None = None
    message: str | None = None
    event_count: int = 0
    failed_count: int = 0
    drop: bool = False  # an injected fault: cut the connection mid-answer


class EventsEndpoint:
    """The strict stand-in for Pinterest's events endpoint (pinterest-capi.md section 6)."""

    def __init__(
        self,
        config: SandboxConfig,
        *,
        limiter: FixedWindowRateLimiter,
        recorder: SandboxRecorder,
        faults: FaultQueue,
    ) -> None:
        self._config = config
        self._limiter = limiter
        self._recorder = recorder
        self._faults = faults

    async def handle(self, request: Request) -> Response:
        received_at = self._config.clock()
        ad_account_id: str = request.path_params["ad_account_id"]
        token = _bearer_token(request.headers.get("authorization"))
        test = request.query_params.get("test", "false").lower() == "true"
        reply = await self._reply(request, ad_account_id, token, test, received_at)
        request_id = secrets.token_hex(8)
        self._recorder.record_request(
            RequestLogEntry(
                request_id=request_id,
                received_at=_iso(received_at),
                method=request.method,
                path=request.url.path,
                ad_account_id=ad_account_id,
                test=test,
                status=reply.status,
                code=reply.code,
                message=reply.message,
                event_count=reply.event_count,
                processed_count=reply.event_count - reply.failed_count,
                failed_count=reply.failed_count,
                token=mask_token(token) if token else None,
            )
        )
        headers = {**reply.rate_limit.headers(), "x-pinterest-rid": request_id}
        if reply.drop:
            return DroppedResponse(reply.body, reply.status, headers=headers)
        return Response(reply.body, reply.status, headers=headers, media_type=reply.media_type)

    async def _reply(
        self,
        request: Request,
        ad_account_id: str,
        token: str | None,
        test: bool,
        received_at: float,
    ) -> _Reply:
        fault = self._faults.take()
        if fault is not None:
            fault_reply = await self._apply_fault(fault, ad_account_id)
            if fault_reply is not None:
                return fault_reply
        allowed = self._config.ad_accounts_for(token) if token else None
        if allowed is None:
            return self._error(401, messages.AUTHENTICATION_FAILED, ad_account_id)
        if ad_account_id_problem(ad_account_id) is not None:
            return self._error(400, messages.invalid_ad_account_id(ad_account_id), ad_account_id)
        if ANY_AD_ACCOUNT not in allowed and ad_account_id not in allowed:
            return self._error(403, messages.NOT_PERMITTED, ad_account_id)
        if ad_account_id in self._config.missing_ad_accounts:
            return self._error(404, messages.AD_ACCOUNT_NOT_FOUND, ad_account_id)
        rate_limit = self._limiter.hit(ad_account_id)
        if not rate_limit.allowed:
            return _error_reply(429, messages.RATE_LIMITED, rate_limit)
        payload, unreadable = await self._read_payload(request)
        if unreadable is not None:
            return _error_reply(*unreadable, rate_limit)
        answer = answer_events_request(payload, test=test, now=received_at, config=self._config)
        if fault is not None and fault.fail_event_ids is not None:
            chosen = set(fault.fail_event_ids)
            answer = fail_chosen_events(answer, payload, chosen, fault.status or 422)
        if answer.processed_events:
            self._record(answer.processed_events, ad_account_id, test, received_at)
        body = answer.body
        error = body if isinstance(body, ErrorBody | DetailedError) else None
        return _Reply(
            status=answer.status,
            body=msgspec.json.encode(body),
            rate_limit=rate_limit,
            code=error.code if error else None,
            message=error.message if error else None,
            event_count=answer.event_count,
            failed_count=answer.failed_count,
            drop=fault is not None and fault.drop,
        )

    async def _apply_fault(self, fault: Fault, ad_account_id: str) -> _Reply | None:
        if fault.delay_seconds:
            await anyio.sleep(fault.delay_seconds)
        if fault.status is None or fault.fail_event_ids is not None:
            return None  # judged normally; fail_event_ids and drop bend the answer later
        answer = fault_answer(fault.status)
        rate_limit = self._limiter.peek(ad_account_id)
        if fault.status == 429:
            rate_limit = dataclasses.replace(rate_limit, remaining=0, allowed=False)
            if fault.reset_seconds is not None:
                rate_limit = dataclasses.replace(rate_limit, reset_seconds=fault.reset_seconds)
        return _Reply(fault.status, answer.body, rate_limit, media_type=answer.media_type)

    async def _read_payload(self, request: Request) -> tuple[object, _Unreadable | None]:
        """The parsed JSON body, or the status and error for a request we cannot read."""
        raw_test = request.query_params.get("test")
        if raw_test is not None and raw_test.lower() not in ("true", "false"):
            return None, (400, messages.invalid_request("'test' must be true or false"))
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != JSON:
            return None, (400, messages.invalid_request("Content-Type must be application/json"))
        limit = self._config.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                too_large = messages.invalid_request(f"the request body is over {limit} bytes")
                return None, (413, too_large)
            chunks.append(chunk)
        body = b"".join(chunks)
        if not body.strip():
            return None, (400, messages.invalid_request("the request body is required"))
        try:
            return msgspec.json.decode(body), None
        except msgspec.DecodeError:
            return None, (400, messages.invalid_request("the request body is not valid JSON"))

    def _record(
        self,
        events: tuple[Mapping[str, Any], ...],
        ad_account_id: str,
        test: bool,
        received_at: float,
    ) -> None:
        when = _iso(received_at)
        self._recorder.record_events(
            RecordedEvent(
                ad_account_id=ad_account_id,
                test=test,
                received_at=when,
                event=msgspec.Raw(msgspec.json.encode(event)),
                event_id=event.get("event_id"),
            )
            for event in events
        )

    def _error(self, status: int, body: ErrorBody, ad_account_id: str) -> _Reply:
        """An answer given before the request counts against the rate limit."""
        return _error_reply(status, body, self._limiter.peek(ad_account_id))


def _error_reply(status: int, body: ErrorBody, rate_limit: RateLimitState) -> _Reply:
    return _Reply(
        status=status,
        body=msgspec.json.encode(body),
        rate_limit=rate_limit,
        code=body.code,
        message=body.message,
    )


def _bearer_token(header: str | None) -> str | None:
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _iso(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
