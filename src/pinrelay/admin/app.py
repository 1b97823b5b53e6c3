"""The management API on the admin port: one router per resource, one error format.

Routes are thin: parse and validate, call the service (pinrelay.services), shape the answer.
Any error of ours becomes the JSON error body through pinrelay.erroranswers.

FastAPI here (not on the collect hot path): pydantic validation and an OpenAPI schema for
free are worth their cost on a low-traffic API.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from pinrelay import __version__
from pinrelay.admin import (
    alerts,
    audit,
    deadletters,
    delivery,
    events,
    imports,
    integrations,
    matchquality,
    metrics,
    pipelines,
    sources,
    testing,
    tokens,
)
from pinrelay.admin import stats as event_stats
from pinrelay.admin.apidocs import install_api_docs
from pinrelay.admin.auth import require_admin
from pinrelay.admin.deps import ERROR_RESPONSES
from pinrelay.admin.limits import BodySizeLimit
from pinrelay.admin.nostore import NoStore
from pinrelay.erroranswers import admin_error_body, answer_for
from pinrelay.errorguard import ADMIN_BODY, ErrorGuard
from pinrelay.errors import PinrelayError
from pinrelay.services.context import ServiceContext, bind_context

ROUTERS = (
    sources.router,
    integrations.router,
    delivery.router,
    events.router,
    testing.router,
    tokens.router,
    audit.router,
    alerts.router,
    matchquality.router,
    pipelines.router,
    deadletters.router,
    metrics.router,
    event_stats.router,
    imports.router,  # issue 15: offline conversions
)


def validation_message(errors: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    """One readable message per problem; never echo `input` (it could be a token)."""
    details = [
        {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "problem": e["msg"]}
        for e in errors
    ]
    return "; ".join(f"{d['field']}: {d['problem']}" for d in details), details


def error_json(exc: PinrelayError, path: str = "") -> JSONResponse:
    """The admin API's answer to any error of ours (erroranswers decides status and message)."""
    answer = answer_for(exc, path=path)
    return JSONResponse(
        admin_error_body(answer), status_code=answer.status, headers=dict(answer.headers)
    )


def build_admin_app(context: ServiceContext) -> FastAPI:
    """The management API around `context`; the UI is mounted on it by pinrelay.adminsite."""
    app = FastAPI(title="pinrelay admin API", version=__version__, docs_url=None, redoc_url=None)
    install_api_docs(app)  # vendored viewers: no CDN (admin.apidocs)
    bind_context(app.state, context)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str | list[str]]:
        return {"status": "ok", "roles": list(context.roles)}

    @app.get("/readyz", tags=["health"])
    async def readyz() -> JSONResponse:
        roles = list(context.roles)
        if await context.store.ping():
            engine = context.store.describe()["engine"]
            return JSONResponse({"status": "ready", "store": engine, "roles": roles})
        return JSONResponse({"status": "unavailable", "roles": roles}, status_code=503)

    @app.exception_handler(PinrelayError)
    async def _domain_error(request: Request, exc: PinrelayError) -> JSONResponse:
        return error_json(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = validation_message(list(exc.errors()))
        return JSONResponse(
            {"error": {"status": 422, "message": message, "details": details}}, status_code=422
        )

    for router in ROUTERS:
        # Every route documents the errors it can answer, so the schema matches the API.
        app.include_router(router, dependencies=[Depends(require_admin)], responses=ERROR_RESPONSES)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(NoStore)
    app.add_middleware(ErrorGuard, action="admin.unexpected_error", body=ADMIN_BODY)
    return app
