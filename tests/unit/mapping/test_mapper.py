"""Mapping one message for one integration: its pipelines, privacy options and trace."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import msgspec

from pinrelay.mapping.mapper import map_for_integration
from pinrelay.mapping.registry import default_integration, presets_for
from pinrelay.mapping.trace import TraceStep
from pinrelay.pipeline import EventInput, PipelineSet, load_pipeline_text, load_presets
from pinrelay.pipeline.evaluator import SharedEvaluation
from pinrelay.store.records import Integration, OutboxRow


def _map_for(
    integration: Integration,
    event_input: EventInput,
    pipelines: PipelineSet | None = None,
    *,
    shared: SharedEvaluation | None = None,
) -> tuple[list[OutboxRow], list[TraceStep]]:
    """The rows and trace steps, with the integration's presets unless pipelines are given."""
    chosen = presets_for(integration) if pipelines is None else pipelines
    mapped = map_for_integration(integration, event_input, chosen, shared=shared)
    return mapped.rows, mapped.steps


ORDER: dict[str, Any] = {
    "type": "track",
    "event": "Order Completed",
    "messageId": "m-1",
    "userId": "u-1",
    "timestamp": "2026-11-20T10:15:30Z",
    "context": {
        "ip": "203.0.113.7",
        "userAgent": "Mozilla/5.0 (test)",
        "consent": {"categoryPreferences": {"advertising": False}},
        "ldp": True,
    },
    "properties": {"order_id": "o-1", "revenue": 72.39},
}


def integration(**settings: Any) -> Any:
    return replace(
        default_integration(),
        id="int_1",
        consent_categories=("advertising",),
        settings=settings,
    )


def test_a_consent_denial_drops_the_event_by_default() -> None:
    rows, trace = _map_for(integration(), EventInput(ORDER))
    assert rows == []
    assert trace == [
        {
            "integration_id": "int_1",
            "outcome": "filtered",
            "reason": "consent not granted for: advertising",
        }
    ]


def test_a_consent_denial_can_send_the_event_opted_out_with_ldp() -> None:
    rows, trace = _map_for(integration(consent_denied="opt_out"), EventInput(ORDER))
    (row,) = rows
    payload = msgspec.json.decode(row.payload)
    assert payload["opt_out"] is True
    assert payload["custom_data"]["opt_out_type"] == "LDP"
    (step,) = trace
    assert step["outcome"] == "queued"
    assert step["pipeline"] == "checkout"
    assert step["origin"] == "presets/checkout.yaml"
    assert step["event_id"] == "m-1"
    assert "opt_out: consent not granted (consent_denied: opt_out)" in step["notes"]


def test_the_given_pipelines_are_the_ones_that_run() -> None:
    own = load_pipeline_text(
        "name: mine\ntrigger:\n  event: page\n"
        "transform:\n  static:\n    - {target: event_name, value: page_visit}\n"
    )
    rows, trace = _map_for(
        integration(consent_denied="opt_out"), EventInput(ORDER), PipelineSet(own)
    )
    assert rows == []
    assert trace[0]["outcome"] == "no_pipeline"
    assert trace[0]["reason"] == "no pipeline is triggered by track messages"


def test_an_event_pinterest_would_refuse_is_traced_with_its_output() -> None:
    anonymous = {**ORDER, "context": {}}
    rows, trace = _map_for(integration(), EventInput(anonymous))
    assert rows == []
    (step,) = trace
    assert step["outcome"] == "unmatchable"
    assert step["output"]["event_name"] == "checkout"
    assert step["output"]["event_id"] == "m-1"
    assert step["reason"].startswith("user_data")


def test_integrations_sharing_one_evaluation_each_get_their_own_options() -> None:
    """One evaluation serves both integrations; the options of one must not leak into the
    other's events (they change the event in place, so each gets its own copy)."""
    pipelines = PipelineSet(load_presets().definitions)
    shared = SharedEvaluation()
    context = {"ip": "203.0.113.7", "userAgent": "Mozilla/5.0 (test)"}
    message = {**ORDER, "anonymousId": "anon-1", "context": context}
    plain = replace(default_integration(), id="int_plain")
    with_anonymous = replace(
        default_integration(), id="int_anon", settings={"anonymous_id_as_external_id": True}
    )
    anon_rows, _ = _map_for(with_anonymous, EventInput(message), pipelines, shared=shared)
    plain_rows, _ = _map_for(plain, EventInput(message), pipelines, shared=shared)
    alone_rows, _ = _map_for(plain, EventInput(message), pipelines)
    anon_ids = msgspec.json.decode(anon_rows[0].payload)["user_data"]["external_id"]
    plain_ids = msgspec.json.decode(plain_rows[0].payload)["user_data"]["external_id"]
    assert len(anon_ids) == len(plain_ids) + 1
    assert plain_rows[0].payload == alone_rows[0].payload


def test_unmatchable_is_read_from_the_problem_kind_not_its_wording() -> None:
    from pinrelay.mapping.mapper import _unmatchable
    from pinrelay.pinterest.problems import Problem, ProblemKind

    identity = Problem(ProblemKind.IDENTITY, "user_data", "needs em, hashed_maids, or ...")
    schema = Problem(ProblemKind.SCHEMA, "user_data.client_ip_address", "expected a string")
    keys = {"user_data": {"external_id": ["a" * 64]}}
    assert _unmatchable(keys, [identity])
    assert not _unmatchable(keys, [schema])
    assert _unmatchable({"event_name": "lead"}, [schema])  # nothing left in user_data at all
