"""Contract: sources, integrations, admin tokens and pipelines; the cache stays true."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import pytest

from pinrelay.errors import NotFound
from pinrelay.store.base import Store
from tests.contract.conftest import Reopen, shared
from tests.support.polling import eventually_async
from tests.support.stores import INTEGRATION_ID, SOURCE_ID, sample_integration

pytestmark = pytest.mark.anyio


async def test_a_source_is_found_by_its_write_key_until_the_key_rotates(store: Store) -> None:
    found = store.source_for_write_key_hash("h" * 64)
    assert found is not None
    assert (found.id, found.name, found.default_country) == (SOURCE_ID, "Shop", "US")
    rotated = await store.rotate_write_key(SOURCE_ID, write_key_hash="k" * 64, write_key_hint="n")
    assert rotated.write_key_hint == "n"
    assert store.source_for_write_key_hash("h" * 64) is None
    assert store.source_for_write_key_hash("k" * 64) == rotated


async def test_source_settings_change_and_missing_sources_are_not_found(store: Store) -> None:
    changed = await store.update_source(SOURCE_ID, name="Shop 2", default_country="DE")
    assert (changed.name, changed.default_country) == ("Shop 2", "DE")
    browser = await store.update_source_browser(
        SOURCE_ID,
        allowed_origins=("https://shop.example",),
        cookie_domain="shop.example",
        consent_required=True,
        tag_dedup=True,
    )
    assert browser.allowed_origins == ("https://shop.example",)
    assert (browser.cookie_domain, browser.consent_required, browser.tag_dedup) == (
        "shop.example",
        True,
        True,
    )
    assert browser.name == "Shop 2"  # the other settings stay
    assert store.get_source(SOURCE_ID) == browser
    with pytest.raises(NotFound):
        await store.update_source("nope", name="x")
    with pytest.raises(NotFound):
        await store.rotate_write_key("nope", write_key_hash="x" * 64, write_key_hint="x")


async def test_sources_are_listed_in_creation_order_and_deleted(store: Store) -> None:
    await store.create_source(
        source_id="src_2", name="B", write_key_hash="b" * 64, write_key_hint="b"
    )
    assert [s.id for s in store.list_sources()] == [SOURCE_ID, "src_2"]
    await store.delete_source("src_2")
    assert store.get_source("src_2") is None
    assert store.source_for_write_key_hash("b" * 64) is None


async def test_integrations_are_created_updated_paused_and_deleted(store: Store) -> None:
    current = store.get_integration(INTEGRATION_ID)
    assert current is not None
    assert current.active
    updated = replace(current, name="Renamed", settings={"a": 1}, updated_at=time.time())
    await store.update_integration(updated)
    assert store.get_integration(INTEGRATION_ID) == updated
    await store.pause_integration(INTEGRATION_ID, "conversion token rejected")
    paused = store.get_integration(INTEGRATION_ID)
    assert paused is not None
    assert (paused.paused_reason, paused.active, paused.name) == (
        "conversion token rejected",
        False,
        "Renamed",
    )
    second = sample_integration(id="int_2", name="Second")
    await store.create_integration(second)
    assert [i.id for i in store.list_integrations(SOURCE_ID)] == [INTEGRATION_ID, "int_2"]
    assert store.list_integrations("other") == []
    await store.delete_integration("int_2")
    assert store.get_integration("int_2") is None
    with pytest.raises(NotFound):
        await store.delete_integration("int_2")


async def test_the_conversion_token_stays_the_bytes_it_was_given(store: Store) -> None:
    await store.create_integration(
        sample_integration(id="int_b", conversion_token_enc=b"\x00\xffcipher")
    )
    found = store.get_integration("int_b")
    assert found is not None
    assert found.conversion_token_enc == b"\x00\xffcipher"


async def test_admin_tokens_work_until_revoked(store: Store) -> None:
    token = await store.create_admin_token(
        token_id="tok_1", name="ci", token_hash="t" * 64, token_hint="pr_ab"
    )
    assert store.admin_token_for_hash("t" * 64) == token
    assert await store.revoke_admin_token("tok_1") is True
    assert store.admin_token_for_hash("t" * 64) is None
    assert await store.revoke_admin_token("tok_1") is False
    (listed,) = store.list_admin_tokens()
    assert listed.id == "tok_1"
    assert not listed.active


async def test_pipelines_are_versioned_across_saves_and_deletes(store: Store) -> None:
    revision = store.pipelines_revision()
    first = await store.save_pipeline(INTEGRATION_ID, "main", "a: 1", now=1.0)
    second = await store.save_pipeline(INTEGRATION_ID, "main", "a: 2", now=2.0)
    assert (first.version, second.version, second.created_at) == (1, 2, 1.0)
    assert store.pipelines_revision() != revision
    assert [p.yaml for p in store.list_pipelines(INTEGRATION_ID)] == ["a: 2"]
    await store.delete_pipeline(INTEGRATION_ID, "main", now=3.0)
    assert store.list_pipelines(INTEGRATION_ID) == []
    versions = await store.pipeline_versions(INTEGRATION_ID, "main")
    assert [(v.version, v.yaml) for v in versions] == [(1, "a: 1"), (2, "a: 2"), (3, None)]
    again = await store.save_pipeline(INTEGRATION_ID, "main", "a: 4", now=4.0)
    assert again.version == 4


async def test_deleting_an_integration_deletes_its_pipelines(store: Store) -> None:
    await store.save_pipeline(INTEGRATION_ID, "main", "a: 1", now=1.0)
    await store.delete_integration(INTEGRATION_ID)
    assert store.list_pipelines(INTEGRATION_ID) == []
    assert await store.pipeline_versions(INTEGRATION_ID, "main") == []


async def test_the_catalog_survives_a_restart(store: Store, reopen: Reopen) -> None:
    await store.pause_integration(INTEGRATION_ID, "token rejected")
    await store.save_pipeline(INTEGRATION_ID, "main", "a: 1", now=1.0)
    await store.create_admin_token(token_id="t1", name="n", token_hash="t" * 64, token_hint="h")
    await store.update_source(SOURCE_ID, default_country="GB")
    if not store.multi_process:
        await store.close()
    again = await reopen()
    paused = again.get_integration(INTEGRATION_ID)
    assert paused is not None
    assert paused.paused_reason == "token rejected"
    assert [p.yaml for p in again.list_pipelines(INTEGRATION_ID)] == ["a: 1"]
    assert again.admin_token_for_hash("t" * 64) is not None
    source = again.source_for_write_key_hash("h" * 64)
    assert source is not None
    assert source.default_country == "GB"


async def _seen(check: Callable[[], object]) -> bool:
    """Wait (bounded) until `check()` is true: another process's cache catches up by polling."""
    return await eventually_async(check, seconds=10)


async def test_changes_made_by_one_process_reach_the_others(store: Store, reopen: Reopen) -> None:
    shared(store)
    other = await reopen()
    await store.create_admin_token(token_id="t1", name="n", token_hash="t" * 64, token_hint="h")
    assert await _seen(lambda: other.admin_token_for_hash("t" * 64) is not None)
    await store.revoke_admin_token("t1")
    assert await _seen(lambda: other.admin_token_for_hash("t" * 64) is None)
    await store.rotate_write_key(SOURCE_ID, write_key_hash="k" * 64, write_key_hint="k")
    assert await _seen(lambda: other.source_for_write_key_hash("h" * 64) is None)
    assert other.source_for_write_key_hash("k" * 64) is not None
    revision = other.pipelines_revision()
    await store.save_pipeline(INTEGRATION_ID, "main", "a: 1", now=1.0)
    assert await _seen(lambda: other.pipelines_revision() != revision)
    assert [p.yaml for p in other.list_pipelines(INTEGRATION_ID)] == ["a: 1"]
    await store.pause_integration(INTEGRATION_ID, "paused elsewhere")
    assert await _seen(lambda: not other.get_integration(INTEGRATION_ID).active)  # type: ignore[union-attr]


async def test_the_store_answers_and_says_which_engine_it_is(store: Store) -> None:
    assert await store.ping() is True
    description = store.describe()
    assert description["engine"] in ("sqlite", "postgresql")
    assert store.multi_process is (description["engine"] == "postgresql")
    assert "password" not in str(description)
