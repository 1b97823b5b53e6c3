"""Sources: where events come from, and their write keys (shown once, kept as a hash)."""

from __future__ import annotations

import secrets

from pinrelay.credentials import hash_key, new_write_key, write_key_hint
from pinrelay.errors import Conflict, ResourceNotFound
from pinrelay.services.context import ServiceContext
from pinrelay.services.models.sources import (
    OutcomeCountsOut,
    SourceCreate,
    SourceCreated,
    SourceOut,
    SourcePatch,
)
from pinrelay.store.base import Store
from pinrelay.store.records import Source


def source_out(source: Source) -> SourceOut:
    return SourceOut(
        id=source.id,
        name=source.name,
        write_key_hint=source.write_key_hint,
        created_at=source.created_at,
        default_country=source.default_country,
        allowed_origins=list(source.allowed_origins),
        cookie_domain=source.cookie_domain,
        consent_required=source.consent_required,
        tag_dedup=source.tag_dedup,
    )


def existing_source(store: Store, source_id: str) -> Source:
    source = store.get_source(source_id)
    if source is None:
        raise ResourceNotFound(f"source {source_id!r} does not exist")
    return source


async def create_source(
    context: ServiceContext, body: SourceCreate, *, actor: str
) -> SourceCreated:
    """Create a source; its write key is in this answer only (pinrelay keeps a hash)."""
    store = context.store
    write_key = new_write_key()
    source = await store.create_source(
        source_id="src_" + secrets.token_hex(8),
        name=body.name,
        write_key_hash=hash_key(write_key),
        write_key_hint=write_key_hint(write_key),
        default_country=body.default_country,
    )
    if body.model_fields_set - {"name", "default_country"}:
        source = await _apply_browser(store, source, body)
    await store.audit(
        actor=actor,
        action="source.create",
        target=source.id,
        details=body.model_dump(mode="json", exclude_unset=True),
    )
    return SourceCreated(**source_out(source).model_dump(), write_key=write_key)


async def rotate_write_key(context: ServiceContext, source_id: str, *, actor: str) -> SourceCreated:
    """A new write key for the source (shown once); the old key stops working at once."""
    store = context.store
    existing_source(store, source_id)
    write_key = new_write_key()
    source = await store.rotate_write_key(
        source_id, write_key_hash=hash_key(write_key), write_key_hint=write_key_hint(write_key)
    )
    await store.audit(actor=actor, action="source.rotate_key", target=source_id, details={})
    return SourceCreated(**source_out(source).model_dump(), write_key=write_key)


async def update_source(
    context: ServiceContext, source_id: str, body: SourcePatch, *, actor: str
) -> SourceOut:
    """Change the name, the default country, or the browser settings the body names."""
    store = context.store
    source = existing_source(store, source_id)
    if body.model_fields_set & {"name", "default_country"}:
        source = await store.update_source(
            source_id, name=body.name, default_country=body.default_country
        )
    updated = await _apply_browser(store, source, body)
    await store.audit(
        actor=actor,
        action="source.update",
        target=source_id,
        details=body.model_dump(mode="json", exclude_unset=True),
    )
    return source_out(updated)


async def _apply_browser(store: Store, source: Source, body: SourceCreate | SourcePatch) -> Source:
    fields = body.model_fields_set
    origins = source.allowed_origins
    if "allowed_origins" in fields:
        origins = tuple(body.allowed_origins or ())
    return await store.update_source_browser(
        source.id,
        allowed_origins=origins,
        cookie_domain=body.cookie_domain if "cookie_domain" in fields else source.cookie_domain,
        consent_required=(
            source.consent_required if body.consent_required is None else body.consent_required
        ),
        tag_dedup=source.tag_dedup if body.tag_dedup is None else body.tag_dedup,
    )


async def source_outcomes(context: ServiceContext, source_id: str) -> OutcomeCountsOut:
    """What became of this source's events, counted per integration (e.g. consent-filtered)."""
    existing_source(context.store, source_id)
    counts = await context.store.count_outcomes(source_id)
    return OutcomeCountsOut(source_id=source_id, integrations=counts)


async def delete_source(context: ServiceContext, source_id: str, *, actor: str) -> None:
    """Delete a source: its write key stops working; refused while integrations use it."""
    store = context.store
    existing_source(store, source_id)
    users = [i.id for i in store.list_integrations(source_id)]
    if users:
        raise Conflict(
            f"source {source_id!r} still feeds integrations {', '.join(users)}: delete them first"
        )
    await store.delete_source(source_id)
    await store.audit(actor=actor, action="source.delete", target=source_id, details={})
