"""Integrations: the Pinterest ad accounts a source delivers to (token encrypted at rest)."""

from __future__ import annotations

import secrets
import time
from dataclasses import replace
from typing import Any, Literal

from pinrelay.credentials import mask_token, token_hint
from pinrelay.errors import Conflict, ResourceNotFound
from pinrelay.services.context import ServiceContext
from pinrelay.services.models.integrations import (
    IntegrationCreate,
    IntegrationOut,
    IntegrationPatch,
    PinterestConfigOut,
    check_tag_not_ad_account,
)
from pinrelay.store.base import Store
from pinrelay.store.records import Integration


def existing_integration(store: Store, integration_id: str) -> Integration:
    integration = store.get_integration(integration_id)
    if integration is None:
        raise ResourceNotFound(f"integration {integration_id!r} does not exist")
    return integration


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


def _tag_not_ad_account(tag_id: str | None, ad_account_id: str | None) -> None:
    try:
        check_tag_not_ad_account(tag_id, ad_account_id)
    except ValueError as exc:
        raise Conflict(str(exc)) from None


async def create_integration(
    context: ServiceContext, body: IntegrationCreate, *, actor: str
) -> IntegrationOut:
    """Create an integration; the body is the one of Datafly Signal's Pinterest integration."""
    store = context.store
    if store.get_source(body.source_id) is None:
        raise ResourceNotFound(
            f"source_id: source {body.source_id!r} does not exist; create it "
            "with POST /v1/admin/sources first"
        )
    _tag_not_ad_account(body.settings.tag_id, body.config.ad_account_id)
    token = body.config.conversion_token.get_secret_value().strip()
    now = time.time()
    integration = Integration(
        id="int_" + secrets.token_hex(8),
        source_id=body.source_id,
        vendor=body.vendor,
        name=body.name,
        enabled=body.enabled,
        ad_account_id=body.config.ad_account_id,
        conversion_token_enc=context.secrets.encrypt(token),
        conversion_token_hint=token_hint(token),
        test_mode=body.test_mode,
        consent_categories=tuple(body.consent_categories),
        settings=body.settings.model_dump(),
        paused_reason=None,
        created_at=now,
        updated_at=now,
    )
    created = integration_out(await store.create_integration(integration))
    await store.audit(
        actor=actor,
        action="integration.create",
        target=integration.id,
        details=created.model_dump(mode="json", exclude={"created_at", "updated_at"}),
    )
    return created


def _changes(
    context: ServiceContext, current: Integration, body: IntegrationPatch
) -> dict[str, Any]:
    """The record fields a PATCH body changes; a new config (or enabling) resumes a paused one."""
    changes: dict[str, Any] = {"updated_at": time.time()}
    fields = body.model_fields_set
    for name in ("name", "enabled", "test_mode"):
        if name in fields and getattr(body, name) is not None:
            changes[name] = getattr(body, name)
    if "consent_categories" in fields and body.consent_categories is not None:
        changes["consent_categories"] = tuple(body.consent_categories)
    if "settings" in fields and body.settings is not None:
        # merge: a PATCH of one setting (e.g. tag_id) keeps the others
        changes["settings"] = {**current.settings, **body.settings.model_dump(exclude_unset=True)}
    if body.config is not None:
        if body.config.ad_account_id is not None:
            changes["ad_account_id"] = body.config.ad_account_id
        if body.config.conversion_token is not None:
            token = body.config.conversion_token.get_secret_value().strip()
            changes["conversion_token_enc"] = context.secrets.encrypt(token)
            changes["conversion_token_hint"] = token_hint(token)
        changes["paused_reason"] = None
    if changes.get("enabled") is True:
        changes["paused_reason"] = None
    return changes


async def update_integration(
    context: ServiceContext, integration_id: str, body: IntegrationPatch, *, actor: str
) -> IntegrationOut:
    """Change the fields the body names; a new config (or enabling) resumes a paused one."""
    store = context.store
    current = existing_integration(store, integration_id)
    changes = _changes(context, current, body)
    _tag_not_ad_account(
        changes.get("settings", current.settings).get("tag_id"),
        changes.get("ad_account_id", current.ad_account_id),
    )
    updated = integration_out(await store.update_integration(replace(current, **changes)))
    changed = body.model_dump(mode="json", exclude_unset=True)  # SecretStr dumps masked
    await store.audit(
        actor=actor, action="integration.update", target=integration_id, details=changed
    )
    return updated


async def delete_integration(context: ServiceContext, integration_id: str, *, actor: str) -> None:
    """Delete an integration and its pipelines; refused while events wait for delivery."""
    store = context.store
    existing_integration(store, integration_id)
    pending = (await store.outbox_counts(integration_id)).get("pending", 0)
    if pending:
        raise Conflict(
            f"integration {integration_id!r} still has {pending} events waiting for delivery: "
            'disable it with PATCH {"enabled": false} to stop new events, and delete it once '
            "they are delivered (or fix its config so they can be)"
        )
    await store.delete_integration(integration_id)
    await store.audit(actor=actor, action="integration.delete", target=integration_id, details={})
