"""The management API on the admin port: one router per resource, one error format.

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
from pinrelay.admin.throttle import MAX_FAILURES, FailureThrottle
from pinrelay.alerts.monitor import AlertMonitor
from pinrelay.collect.network import Network
from pinrelay.credentials import SecretBox
from pinrelay.errorguard import ADMIN_BODY, ErrorGuard
from pinrelay.errors import HTTPError, TooManyRequests
from pinrelay.pinterest.client import PinterestClient
from pinrelay.store.base import Store
from pinrelay.ui.app import install_ui

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


def build_admin_app(
    store: Store,
    box: SecretBox,
    *,
    admin_token: str,
    pinterest: PinterestClient,
    alerts: AlertMonitor,
    trusted_proxies: tuple[Network, ...] = (),
    auth_max_failures: int = MAX_FAILURES,
) -> FastAPI:
    app = FastAPI(title="pinrelay admin API", version=__version__, docs_url=None, redoc_url=None)
    install_api_docs(app)  # vendored viewers: no CDN (admin.apidocs)
    app.state.admin_token = admin_token
    app.state.pinterest = pinterest
    app.state.alerts = alerts
    app.state.store = store
    app.state.secret_box = box
    app.state.auth_throttle = FailureThrottle(max_failures=auth_max_failures)  # per client
    app.state.trusted_proxies = trusted_proxies

    app.state.roles = ["collect", "deliver", "admin"]  # set by app.py: this process's roles

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str | list[str]]:
        return {"status": "ok", "roles": app.state.roles}

    @app.get("/readyz", tags=["health"])
    async def readyz() -> JSONResponse:
        roles = app.state.roles
        if await store.ping():
            engine = store.describe()["engine"]
            return JSONResponse({"status": "ready", "store": engine, "roles": roles})
        return JSONResponse({"status": "unavailable", "roles": roles}, status_code=503)

    @app.exception_handler(HTTPError)
    async def _http_error(request: Request, exc: HTTPError) -> JSONResponse:
        error: dict[str, Any] = {"status": exc.status_code, "message": exc.message}
        if exc.details is not None:
            error["details"] = exc.details
        response = JSONResponse({"error": error}, status_code=exc.status_code)
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response

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
    install_ui(app)  # the management UI at / (its own session login)
    return app
