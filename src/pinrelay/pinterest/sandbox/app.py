"""The sandbox as an ASGI app: Pinterest's events endpoint plus routes to look inside.

    POST   /v5/ad_accounts/{ad_account_id}/events   the strict stand-in (endpoint.py)
    GET    /_sandbox/events        processed events; filters ?ad_account_id= ?event_id= ?test=
    DELETE /_sandbox/events        forget them
    GET    /_sandbox/requests      every answered request (status, account, counts; no token)
    DELETE /_sandbox/requests      forget them
    GET    /_sandbox/faults        faults waiting for the next requests (faults.py)
    POST   /_sandbox/faults        queue one: {"status": 503, "count": 2, "delay_seconds": 0}
    DELETE /_sandbox/faults        drop them
    GET    /healthz                {"status": "ok"}

The /_sandbox routes have no authentication: the sandbox is a local test tool.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import msgspec
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pinrelay.pinterest.model import ErrorBody
from pinrelay.pinterest.sandbox.config import SandboxConfig
from pinrelay.pinterest.sandbox.endpoint import JSON, EventsEndpoint
from pinrelay.pinterest.sandbox.faults import Fault, FaultQueue, fault_problem
from pinrelay.pinterest.sandbox.ratelimit import FixedWindowRateLimiter
from pinrelay.pinterest.sandbox.recorder import SandboxRecorder

EVENTS_PATH = "/v5/ad_accounts/{ad_account_id}/events"


@dataclass(frozen=True, slots=True)
class SandboxState:
    """Everything one sandbox app holds; reachable as `app.state.sandbox` (tests, the CLI)."""

    config: SandboxConfig
    recorder: SandboxRecorder
    limiter: FixedWindowRateLimiter
    faults: FaultQueue


def create_sandbox_app(config: SandboxConfig | None = None) -> Starlette:
    """A fresh sandbox; mount it at the root and point senders at `http://host:port/v5`."""
    config = config or SandboxConfig()
    state = SandboxState(
        config=config,
        recorder=SandboxRecorder(
            max_events=config.max_stored_events, max_requests=config.max_logged_requests
        ),
        limiter=FixedWindowRateLimiter(config.rate_limit_per_minute, clock=config.clock),
        faults=FaultQueue(),
    )
    events = EventsEndpoint(
        config, limiter=state.limiter, recorder=state.recorder, faults=state.faults
    )
    inspection = _Inspection(state)
    app = Starlette(
        routes=[
            Route(EVENTS_PATH, events.handle, methods=["POST"]),
            Route("/_sandbox/events", inspection.list_events, methods=["GET"]),
            Route("/_sandbox/events", inspection.clear_events, methods=["DELETE"]),
            Route("/_sandbox/requests", inspection.list_requests, methods=["GET"]),
            Route("/_sandbox/requests", inspection.clear_requests, methods=["DELETE"]),
            Route("/_sandbox/faults", inspection.list_faults, methods=["GET"]),
            Route("/_sandbox/faults", inspection.add_fault, methods=["POST"]),
            Route("/_sandbox/faults", inspection.clear_faults, methods=["DELETE"]),
            Route("/healthz", _healthz, methods=["GET"]),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.sandbox = state
    return app


class _Inspection:
    def __init__(self, state: SandboxState) -> None:
        self._state = state

    async def list_events(self, request: Request) -> Response:
        query = request.query_params
        test = query.get("test")
        found = self._state.recorder.events(
            ad_account_id=query.get("ad_account_id"),
            event_id=query.get("event_id"),
            test=None if test is None else test.lower() == "true",
        )
        return _json([event.shown() for event in found])

    async def clear_events(self, request: Request) -> Response:
        return _json({"deleted": self._state.recorder.clear_events()})

    async def list_requests(self, request: Request) -> Response:
        return _json(self._state.recorder.requests())

    async def clear_requests(self, request: Request) -> Response:
        return _json({"deleted": self._state.recorder.clear_requests()})

    async def list_faults(self, request: Request) -> Response:
        return _json(self._state.faults.pending())

    async def add_fault(self, request: Request) -> Response:
        try:
            fault = msgspec.json.decode(await request.body(), type=Fault)
        except msgspec.DecodeError as error:
            return _json(ErrorBody(code=1, message=f"Invalid fault: {error}"), status=400)
        problem = fault_problem(fault)
        if problem is not None:
            return _json(ErrorBody(code=1, message=f"Invalid fault: {problem}"), status=400)
        self._state.faults.add(fault)
        return _json(self._state.faults.pending(), status=201)

    async def clear_faults(self, request: Request) -> Response:
        return _json({"deleted": self._state.faults.clear()})


async def _healthz(request: Request) -> Response:
    return _json({"status": "ok"})


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown routes and wrong methods answer in Pinterest's Error shape, not plain text."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "Internal Server Error"
    headers = exc.headers if isinstance(exc, HTTPException) else None
    return _json(ErrorBody(code=status, message=detail), status=status, headers=headers)


def _json(
    content: object, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(msgspec.json.encode(content), status, headers=headers, media_type=JSON)
