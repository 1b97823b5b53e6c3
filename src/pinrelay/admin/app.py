"""The management API on the admin port: sources, integrations, deliveries, events.

FastAPI here (not on the collect hot path): pydantic validation and an OpenAPI schema for
free are worth their cost on a low-traffic API.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from pinrelay import __version__
from pinrelay.admin.auth import require_admin
from pinrelay.admin.models import (
    AttemptOut,
    DeliveriesOut,
    EventOut,
    IntegrationCreate,
    IntegrationOut,
    IntegrationPatch,
    OutboxEntryOut,
    PinterestConfigOut,
    SourceCreate,
    SourceCreated,
    SourceOut,
)
from pinrelay.credentials import (
    SecretBox,
    hash_key,
    mask_token,
    new_write_key,
    token_hint,
    write_key_hint,
)
from pinrelay.errors import BadRequest, HTTPError, ResourceNotFound
from pinrelay.store.base import Store
from pinrelay.store.records import Integration, OutboxStatus, Source

MAX_PAGE = 1000  # rows one list call returns at most


def integration_out(integration: Integration) -> IntegrationOut:
    status: Literal["active", "paused", "disabled"] = (
        "disabled"
        if not integration.enabled
        else "paused"
        if integration.paused_reason
        else "active"
    )
    return IntegrationOut(
        id=integration.id,
        source_id=integration.source_id,
        vendor=integration.vendor,
        name=integration.name,
        enabled=integration.enabled,
        status=status,
        paused_reason=integration.paused_reason,
        config=PinterestConfigOut(
            ad_account_id=integration.ad_account_id,
            conversion_token=mask_token(integration.conversion_token_hint),
        ),
        consent_categories=list(integration.consent_categories),
        test_mode=integration.test_mode,
        settings=integration.settings,
        created_at=integration.created_at,
        updated_at=integration.updated_at,
    )


def source_out(source: Source) -> SourceOut:
    return SourceOut(
        id=source.id,
        name=source.name,
        write_key_hint=source.write_key_hint,
        created_at=source.created_at,
    )


def _validation_message(errors: list[Any]) -> tuple[str, list[dict[str, Any]]]:
    # Never echo `input`: it could be a conversion token.
    details = [
        {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "problem": e["msg"]}
        for e in errors
    ]
    message = "; ".join(f"{d['field']}: {d['problem']}" for d in details)
    return message, details


def build_admin_app(store: Store, box: SecretBox, *, admin_token: str) -> FastAPI:
    app = FastAPI(title="pinrelay admin API", version=__version__)
    app.state.admin_token = admin_token
    router = APIRouter(dependencies=[Depends(require_admin)])

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"])
    async def readyz() -> JSONResponse:
        if await store.ping():
            return JSONResponse({"status": "ready", "store": store.describe()["engine"]})
        return JSONResponse({"status": "unavailable"}, status_code=503)

    @app.exception_handler(HTTPError)
    async def _http_error(request: Request, exc: HTTPError) -> JSONResponse:
        return JSONResponse(
            {"error": {"status": exc.status_code, "message": exc.message}},
            status_code=exc.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(list(exc.errors()))
        return JSONResponse(
            {"error": {"status": 422, "message": message, "details": details}}, status_code=422
        )

    def _integration(integration_id: str) -> Integration:
        integration = store.get_integration(integration_id)
        if integration is None:
            raise ResourceNotFound(f"integration {integration_id!r} does not exist")
        return integration

    @router.post("/v1/admin/sources", status_code=201, tags=["sources"])
    async def create_source(body: SourceCreate) -> SourceCreated:
        write_key = new_write_key()
        source = await store.create_source(
            source_id="src_" + secrets.token_hex(8),
            name=body.name,
            write_key_hash=hash_key(write_key),
            write_key_hint=write_key_hint(write_key),
        )
        return SourceCreated(**source_out(source).model_dump(), write_key=write_key)

    @router.get("/v1/admin/sources", tags=["sources"])
    async def list_sources() -> list[SourceOut]:
        return [source_out(s) for s in store.list_sources()]

    @router.get("/v1/admin/sources/{source_id}", tags=["sources"])
    async def get_source(source_id: str) -> SourceOut:
        source = store.get_source(source_id)
        if source is None:
            raise ResourceNotFound(f"source {source_id!r} does not exist")
        return source_out(source)

    @router.post("/v1/admin/integrations", status_code=201, tags=["integrations"])
    async def create_integration(body: IntegrationCreate) -> IntegrationOut:
        if store.get_source(body.source_id) is None:
            raise BadRequest(
                f"source_id: source {body.source_id!r} does not exist; create it "
                "with POST /v1/admin/sources first"
            )
        token = body.config.conversion_token.get_secret_value().strip()
        now = time.time()
        integration = Integration(
            id="int_" + secrets.token_hex(8),
            source_id=body.source_id,
            vendor=body.vendor,
            name=body.name,
            enabled=body.enabled,
            ad_account_id=body.config.ad_account_id,
            conversion_token_enc=box.encrypt(token),
            conversion_token_hint=token_hint(token),
            test_mode=body.test_mode,
            consent_categories=tuple(body.consent_categories),
            settings=body.settings.model_dump(),
            paused_reason=None,
            created_at=now,
            updated_at=now,
        )
        return integration_out(await store.create_integration(integration))

    @router.get("/v1/admin/integrations", tags=["integrations"])
    async def list_integrations(source_id: str | None = None) -> list[IntegrationOut]:
        return [integration_out(i) for i in store.list_integrations(source_id)]

    @router.get("/v1/admin/integrations/{integration_id}", tags=["integrations"])
    async def get_integration(integration_id: str) -> IntegrationOut:
        return integration_out(_integration(integration_id))

    @router.patch("/v1/admin/integrations/{integration_id}", tags=["integrations"])
    async def update_integration(integration_id: str, body: IntegrationPatch) -> IntegrationOut:
        current = _integration(integration_id)
        changes: dict[str, Any] = {"updated_at": time.time()}
        fields = body.model_fields_set
        for name in ("name", "enabled", "test_mode"):
            if name in fields and getattr(body, name) is not None:
                changes[name] = getattr(body, name)
        if "consent_categories" in fields and body.consent_categories is not None:
            changes["consent_categories"] = tuple(body.consent_categories)
        if "settings" in fields and body.settings is not None:
            changes["settings"] = body.settings.model_dump()
        if body.config is not None:
            if body.config.ad_account_id is not None:
                changes["ad_account_id"] = body.config.ad_account_id
            if body.config.conversion_token is not None:
                token = body.config.conversion_token.get_secret_value().strip()
                changes["conversion_token_enc"] = box.encrypt(token)
                changes["conversion_token_hint"] = token_hint(token)
            changes["paused_reason"] = None  # a config fix resumes a paused integration
        if changes.get("enabled") is True:
            changes["paused_reason"] = None
        return integration_out(await store.update_integration(replace(current, **changes)))

    @router.get("/v1/admin/deliveries", tags=["delivery"])
    async def list_deliveries(
        integration_id: str,
        status: OutboxStatus | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        before: Annotated[int | None, Query(ge=1)] = None,
    ) -> DeliveriesOut:
        _integration(integration_id)
        entries = await store.list_outbox(integration_id, status=status, limit=limit, before=before)
        return DeliveriesOut(
            integration_id=integration_id,
            counts=await store.outbox_counts(integration_id),
            entries=[
                OutboxEntryOut(
                    seq=e.seq,
                    event_id=e.event_id,
                    event_name=e.event_name,
                    event_time=e.event_time,
                    status=e.status,
                    attempts=e.attempts,
                    next_attempt_at=e.next_attempt_at if e.status == "pending" else None,
                    last_error=e.last_error,
                    warning=e.warning,
                    created_at=e.created_at,
                    updated_at=e.updated_at,
                )
                for e in entries
            ],
            next_before=entries[-1].seq if len(entries) == limit else None,
        )

    @router.get("/v1/admin/integrations/{integration_id}/attempts", tags=["delivery"])
    async def list_attempts(
        integration_id: str,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    ) -> list[AttemptOut]:
        _integration(integration_id)
        attempts = await store.list_attempts(integration_id, limit=limit)
        return [
            AttemptOut(
                started_at=a.started_at,
                duration_ms=a.duration_ms,
                batch_size=a.batch_size,
                http_status=a.http_status,
                outcome=a.outcome,
                message=a.message,
                test=a.test,
            )
            for a in attempts
        ]

    @router.get("/v1/admin/events", tags=["events"])
    async def list_events(
        source_id: str | None = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
        before: Annotated[int | None, Query(ge=1)] = None,
    ) -> list[EventOut]:
        events = await store.list_events(source_id=source_id, limit=limit, before=before)
        return [
            EventOut(
                seq=e.seq,
                source_id=e.source_id,
                message_id=e.message_id,
                type=e.type,
                name=e.name,
                user_id=e.user_id,
                anonymous_id=e.anonymous_id,
                received_at=e.received_at,
                body=e.body,
                trace=e.trace,
            )
            for e in events
        ]

    app.include_router(router)
    return app
