"""Integrations > Add > Pinterest Ads, edit (fix a token), and "Send test event".

The forms go through the same models and services as the admin API, so the UI validates
and audits exactly like the API (same messages, same audit actor).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from pinrelay.services import hints
from pinrelay.services import integrations as service
from pinrelay.services.context import context_of
from pinrelay.services.models.integrations import (
    IntegrationCreate,
    IntegrationPatch,
    IntegrationSettings,
)
from pinrelay.services.testevent import send_test_event as send_sample
from pinrelay.store.base import Store
from pinrelay.store.records import Integration
from pinrelay.ui.integration_settings import read_advanced, template_context
from pinrelay.ui.nav import NavItem
from pinrelay.ui.web import FormDep, SessionDep, field, redirect, render, store_of

router = APIRouter()
NAV = NavItem("/integrations", "Integrations")

# The Tag ID field appears once IntegrationSettings has `tag_id` (the browser collector's
# branch adds it); until then the form has no such field and nothing is sent.
HAS_TAG_ID = "tag_id" in IntegrationSettings.model_fields
TAG_ID_HINT = (
    "The Tag ID is not the Ad Account ID: the Tag ID belongs to the browser tag, the Ad "
    "Account ID is in Ads Manager > Account settings."
)


def consent_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def errors_of(exc: ValidationError) -> dict[str, str]:
    """One message per form field, from pydantic's locations (config.ad_account_id -> ...)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][-1]) if error["loc"] else "form"
        message = str(error["msg"]).removeprefix("Value error, ")
        errors.setdefault(name, message)
    return errors


def _settings(form: FormData, current: dict[str, Any] | None = None) -> dict[str, Any]:
    settings = dict(current or {})
    settings["custom_events"] = form.get("custom_events") == "on"
    if HAS_TAG_ID:
        settings["tag_id"] = field(form, "tag_id") or None
    return read_advanced(form, settings)


def _tag_problem(form: FormData, ad_account_id: str) -> dict[str, str]:
    tag_id = field(form, "tag_id")
    if HAS_TAG_ID and tag_id and tag_id == ad_account_id:
        return {"ad_account_id": TAG_ID_HINT}
    return {}


def last_pause_hint(attempts: list[Any]) -> str | None:
    """The plain-language fix for the answer that paused the integration."""
    for attempt in attempts:
        if attempt.outcome == "paused":
            return hints.hint_for(attempt.http_status)
    return None


@router.get("/integrations")
async def list_integrations(request: Request, session: SessionDep) -> Response:
    store = store_of(request)
    sources = {s.id: s for s in store.list_sources()}
    rows = [
        {"integration": service.integration_out(i), "source": sources.get(i.source_id)}
        for i in store.list_integrations()
    ]
    return render(request, "integrations.html", session, rows=rows)


def _new_form(
    request: Request,
    session: Any,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "integration_new.html",
        session,
        status_code=status_code,
        sources=store_of(request).list_sources(),
        values=values,
        errors=errors,
        has_tag_id=HAS_TAG_ID,
        tag_id_hint=TAG_ID_HINT,
    )


@router.get("/integrations/new")
async def new_integration(
    request: Request, session: SessionDep, source_id: str | None = None
) -> Response:
    values = {"source_id": source_id or "", "name": "Pinterest", "custom_events": True}
    return _new_form(request, session, values, {})


@router.post("/integrations")
async def create_integration(request: Request, session: SessionDep, form: FormDep) -> Response:
    store = store_of(request)
    values: dict[str, Any] = {
        name: field(form, name)
        for name in ("source_id", "name", "ad_account_id", "consent_categories", "tag_id")
    }
    values["test_mode"] = form.get("test_mode") == "on"
    values["custom_events"] = form.get("custom_events") == "on"
    errors = _tag_problem(form, values["ad_account_id"])
    body: IntegrationCreate | None = None
    try:
        body = IntegrationCreate(
            source_id=values["source_id"],
            name=values["name"],
            config={
                "ad_account_id": values["ad_account_id"],
                "conversion_token": field(form, "conversion_token"),
            },
            consent_categories=consent_list(values["consent_categories"]),
            test_mode=values["test_mode"],
            settings=_settings(form),
        )
    except ValidationError as exc:
        errors = {**errors_of(exc), **errors}
    if body is not None and store.get_source(body.source_id) is None:
        errors["source_id"] = "Choose a source (create one on the Sources page first)."
    if errors or body is None:
        return _new_form(request, session, values, errors)
    created = await service.create_integration(context_of(request), body, actor=session.actor)
    return redirect(
        f"/integrations/{created.id}",
        session,
        f"Integration {created.name} created. Send a test event to check the token and account.",
    )


async def _detail(
    request: Request, session: Any, integration: Integration, **context: Any
) -> Response:
    store = store_of(request)
    attempts = await store.list_attempts(integration.id, limit=20)
    return render(
        request,
        "integration.html",
        session,
        status_code=context.pop("status_code", 200),
        integration=service.integration_out(integration),
        source=store.get_source(integration.source_id),
        counts=await store.outbox_counts(integration.id),
        attempts=attempts,
        pause_hint=last_pause_hint(attempts),
        hint_for=hints.hint_for,
        has_tag_id=HAS_TAG_ID,
        tag_id_hint=TAG_ID_HINT,
        errors=context.pop("errors", {}),
        **template_context(),
        **context,
    )


def _integration(store: Store, integration_id: str) -> Integration | None:
    return store.get_integration(integration_id)


@router.get("/integrations/{integration_id}")
async def show_integration(request: Request, integration_id: str, session: SessionDep) -> Response:
    integration = _integration(store_of(request), integration_id)
    if integration is None:
        return render(request, "not_found.html", session, status_code=404, what="integration")
    return await _detail(request, session, integration)


@router.post("/integrations/{integration_id}")
async def update_integration(
    request: Request, integration_id: str, session: SessionDep, form: FormDep
) -> Response:
    store = store_of(request)
    current = _integration(store, integration_id)
    if current is None:
        return render(request, "not_found.html", session, status_code=404, what="integration")
    ad_account_id = field(form, "ad_account_id")
    token = field(form, "conversion_token")
    config: dict[str, str] = {}
    if ad_account_id and ad_account_id != current.ad_account_id:
        config["ad_account_id"] = ad_account_id
    if token:
        config["conversion_token"] = token
    errors = _tag_problem(form, ad_account_id)
    body: IntegrationPatch | None = None
    try:
        body = IntegrationPatch(
            name=field(form, "name") or current.name,
            enabled=form.get("enabled") == "on",
            config=config or None,
            consent_categories=consent_list(field(form, "consent_categories")),
            test_mode=form.get("test_mode") == "on",
            settings=_settings(form, current.settings),
        )
    except ValidationError as exc:
        errors = {**errors_of(exc), **errors}
    if errors or body is None:
        return await _detail(request, session, current, errors=errors)
    await service.update_integration(context_of(request), integration_id, body, actor=session.actor)
    return redirect(f"/integrations/{integration_id}", session, "Integration saved.")


@router.post("/integrations/{integration_id}/test")
async def send_test_event(
    request: Request, integration_id: str, session: SessionDep, form: FormDep
) -> Response:
    store = store_of(request)
    integration = _integration(store, integration_id)
    if integration is None:
        return render(request, "not_found.html", session, status_code=404, what="integration")
    result = await send_sample(context_of(request), integration_id)
    return await _detail(request, session, integration, test_result=result)
