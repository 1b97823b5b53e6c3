"""The integrations service: create, change and delete the Pinterest side of a source."""

from __future__ import annotations

import pytest

from pinrelay.errors import Conflict, ResourceNotFound
from pinrelay.services import integrations
from pinrelay.services.context import ServiceContext
from pinrelay.services.models.integrations import IntegrationCreate, IntegrationPatch
from tests.support.stores import INTEGRATION_ID, SOURCE_ID

pytestmark = pytest.mark.anyio
TOKEN = "pina_secret_conversion_token"


def create_body(**changes: object) -> IntegrationCreate:
    body = {
        "source_id": SOURCE_ID,
        "name": "Pinterest EU",
        "config": {"ad_account_id": "549764982399", "conversion_token": TOKEN},
    }
    return IntegrationCreate.model_validate({**body, **changes})


async def test_the_token_is_encrypted_at_rest_and_masked_in_the_answer(
    context: ServiceContext,
) -> None:
    created = await integrations.create_integration(context, create_body(), actor="env")
    stored = integrations.existing_integration(context.store, created.id)
    assert context.secrets.decrypt(stored.conversion_token_enc) == TOKEN
    assert TOKEN not in created.model_dump_json()
    assert created.config.conversion_token.endswith(TOKEN[-4:])


async def test_an_integration_needs_an_existing_source(context: ServiceContext) -> None:
    with pytest.raises(ResourceNotFound, match="source 'src_nope' does not exist"):
        await integrations.create_integration(
            context, create_body(source_id="src_nope"), actor="env"
        )


async def test_the_tag_id_cannot_be_the_ad_account_id(context: ServiceContext) -> None:
    body = create_body(settings={"tag_id": "549764982399"})
    with pytest.raises(Conflict, match=r"settings\.tag_id equals the ad account id"):
        await integrations.create_integration(context, body, actor="env")


async def test_a_new_token_resumes_a_paused_integration(context: ServiceContext) -> None:
    await context.store.pause_integration(INTEGRATION_ID, "401: token rejected")
    patch = IntegrationPatch.model_validate({"config": {"conversion_token": "pina_new"}})
    updated = await integrations.update_integration(context, INTEGRATION_ID, patch, actor="env")
    assert (updated.status, updated.paused_reason) == ("active", None)


async def test_a_settings_patch_keeps_the_other_settings(context: ServiceContext) -> None:
    first = IntegrationPatch.model_validate({"settings": {"custom_events": False}})
    await integrations.update_integration(context, INTEGRATION_ID, first, actor="env")
    second = IntegrationPatch.model_validate({"settings": {"tag_id": "2612345678901"}})
    updated = await integrations.update_integration(context, INTEGRATION_ID, second, actor="env")
    assert updated.settings["custom_events"] is False
    assert updated.settings["tag_id"] == "2612345678901"


async def test_status_says_disabled_before_paused(context: ServiceContext) -> None:
    await context.store.pause_integration(INTEGRATION_ID, "403")
    patch = IntegrationPatch(enabled=False)
    updated = await integrations.update_integration(context, INTEGRATION_ID, patch, actor="env")
    assert updated.status == "disabled"
