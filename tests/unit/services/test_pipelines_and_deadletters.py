"""Stored pipelines and dead letters, as the admin API and the UI's editor both use them."""

from __future__ import annotations

import pytest

from pinrelay.errors import BadRequest, Conflict, ResourceNotFound, UnprocessableEntity
from pinrelay.services import deadletters, pipelines
from pinrelay.services.context import ServiceContext
from pinrelay.services.models.delivery import ReplayIn
from pinrelay.services.models.pipelines import PipelineIn, PipelineUpdate
from pinrelay.store.records import DeadFilter
from tests.support.stores import INTEGRATION_ID

pytestmark = pytest.mark.anyio

LEAD = """\
name: lead
trigger:
  event: track
  conditions:
    - {field: event, operator: equals, value: lead_generated}
transform:
  static:
    - {target: event_name, value: lead}
    - {target: action_source, value: web}
  mapping:
    - {source: timestamp, target: event_time, transform: unix_seconds}
  dedup:
    - {source: message_id, target: event_id}
"""


async def test_a_saved_pipeline_gets_versions(context: ServiceContext) -> None:
    created = await pipelines.create_pipeline(context, INTEGRATION_ID, PipelineIn(yaml=LEAD))
    assert (created.name, created.version) == ("lead", 1)
    updated = await pipelines.save_pipeline(context, INTEGRATION_ID, LEAD, editing="lead")
    assert updated.version == 2
    versions = await pipelines.list_versions(context, INTEGRATION_ID, "lead")
    assert [v.version for v in versions] == [1, 2]


async def test_an_invalid_pipeline_is_refused_with_its_line(context: ServiceContext) -> None:
    with pytest.raises(UnprocessableEntity) as refused:
        await pipelines.create_pipeline(
            context, INTEGRATION_ID, PipelineIn(yaml="name: x\ntrigger: [\n")
        )
    assert isinstance(refused.value.details, list)
    assert all("line" in detail for detail in refused.value.details)
    assert context.store.list_pipelines(INTEGRATION_ID) == []


async def test_an_update_from_an_old_version_is_a_conflict(context: ServiceContext) -> None:
    await pipelines.create_pipeline(context, INTEGRATION_ID, PipelineIn(yaml=LEAD))
    await pipelines.update_pipeline(context, INTEGRATION_ID, "lead", PipelineUpdate(yaml=LEAD))
    with pytest.raises(Conflict, match="is at version 2, not 1"):
        await pipelines.update_pipeline(
            context, INTEGRATION_ID, "lead", PipelineUpdate(yaml=LEAD, version=1)
        )


async def test_a_pipeline_of_an_unknown_integration_is_a_404(context: ServiceContext) -> None:
    with pytest.raises(ResourceNotFound, match="integration 'int_nope' does not exist"):
        pipelines.list_pipelines(context, "int_nope")


async def test_a_replay_must_say_which_dead_events(context: ServiceContext) -> None:
    with pytest.raises(BadRequest, match="say which dead events to replay"):
        await deadletters.replay_dead_letters(context, ReplayIn(), actor="env")


async def test_a_replay_with_nothing_dead_replays_nothing_and_is_audited(
    context: ServiceContext,
) -> None:
    result = await deadletters.replay_dead_letters(
        context, ReplayIn(integration_id=INTEGRATION_ID), actor="tok_1"
    )
    assert (result.replayed, result.skipped) == (0, [])
    [entry] = await context.store.list_audit(limit=1, before=None)
    assert (entry.actor, entry.action) == ("tok_1", "dead_letters.replay")


async def test_dead_letters_of_an_unknown_integration_are_a_404(context: ServiceContext) -> None:
    with pytest.raises(ResourceNotFound):
        await deadletters.list_dead_letters(
            context, DeadFilter(integration_id="int_nope"), limit=10, before=None
        )
