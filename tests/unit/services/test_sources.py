"""The sources service: what the admin API and the UI both do to a source."""

from __future__ import annotations

import pytest

from pinrelay.credentials import hash_key
from pinrelay.errors import Conflict, ResourceNotFound
from pinrelay.services import sources
from pinrelay.services.context import ServiceContext
from pinrelay.services.models.sources import SourceCreate, SourcePatch
from tests.support.stores import SOURCE_ID

pytestmark = pytest.mark.anyio


async def test_a_new_source_shows_its_write_key_once_and_keeps_only_its_hash(
    context: ServiceContext,
) -> None:
    created = await sources.create_source(context, SourceCreate(name="Website"), actor="env")
    assert context.store.source_for_write_key_hash(hash_key(created.write_key)) is not None
    stored = sources.existing_source(context.store, created.id)
    assert created.write_key not in repr(stored)
    assert sources.source_out(stored).model_dump().keys() == created.model_dump().keys() - {
        "write_key"
    }


async def test_creating_a_source_is_audited_with_the_actor(context: ServiceContext) -> None:
    created = await sources.create_source(context, SourceCreate(name="Website"), actor="tok_1")
    [entry] = await context.store.list_audit(limit=1, before=None)
    assert (entry.actor, entry.action, entry.target) == ("tok_1", "source.create", created.id)


async def test_rotating_the_key_stops_the_old_one(context: ServiceContext) -> None:
    first = await sources.create_source(context, SourceCreate(name="Website"), actor="env")
    second = await sources.rotate_write_key(context, first.id, actor="env")
    assert context.store.source_for_write_key_hash(hash_key(first.write_key)) is None
    assert context.store.source_for_write_key_hash(hash_key(second.write_key)) is not None


async def test_a_patch_changes_only_the_fields_it_names(context: ServiceContext) -> None:
    created = await sources.create_source(
        context, SourceCreate(name="Website", allowed_origins=["https://shop.example"]), actor="env"
    )
    updated = await sources.update_source(
        context, created.id, SourcePatch(name="Shop"), actor="env"
    )
    assert updated.name == "Shop"
    assert updated.allowed_origins == ["https://shop.example"]


async def test_an_unknown_source_is_a_404_naming_it(context: ServiceContext) -> None:
    with pytest.raises(ResourceNotFound, match="source 'src_nope' does not exist"):
        await sources.rotate_write_key(context, "src_nope", actor="env")


async def test_a_source_that_feeds_integrations_cannot_be_deleted(
    context: ServiceContext,
) -> None:
    with pytest.raises(Conflict, match="still feeds integrations int_1: delete them first"):
        await sources.delete_source(context, SOURCE_ID, actor="env")
    assert context.store.get_source(SOURCE_ID) is not None
