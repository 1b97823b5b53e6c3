"""The pipelines page previews what the server would do: the same override rule, the same
mapping (issue 16: the preview used to replace presets by name only and skip the options)."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib.resources import files
from typing import Any, cast

from pinrelay.mapping.registry import PipelineRegistry, default_integration
from pinrelay.store.records import StoredPipeline
from pinrelay.ui.pages.pipelines import EXAMPLE_EVENT, check_yaml, dry_run

PRESET_CHECKOUT = (files("pinrelay.pipeline") / "presets" / "checkout.yaml").read_text()
# the preset's trigger under another name: the server replaces the preset with it
MY_CHECKOUT = PRESET_CHECKOUT.replace("name: checkout", "name: my_checkout", 1).replace(
    "value: checkout", "value: lead", 1
)


def test_a_pasted_pipeline_with_a_presets_trigger_replaces_it_as_on_the_server() -> None:
    pipelines, listing = check_yaml(MY_CHECKOUT)
    assert listing == []
    assert pipelines is not None
    (only,) = dry_run(json.dumps(EXAMPLE_EVENT), pipelines)["results"]
    assert only["pipeline"] == "my_checkout"
    assert only["event"]["event_name"] == "lead"
    saved = [StoredPipeline("(default)", "my_checkout", 1, MY_CHECKOUT, 0.0, 0.0)]
    server = PipelineRegistry(stored=lambda _: saved).pipelines_for(default_integration())
    assert pipelines.names == server.names


def test_the_dry_run_applies_the_integrations_options_like_ingest() -> None:
    context = {**cast(dict[str, Any], EXAMPLE_EVENT["context"]), "ldp": True}
    flagged = {**EXAMPLE_EVENT, "context": context}
    (checkout,) = dry_run(json.dumps(flagged))["results"]
    assert checkout["outcome"] == "queued"
    assert checkout["event"]["custom_data"]["opt_out_type"] == "LDP"
    assert "custom_data.opt_out_type: LDP (California resident)" in checkout["notes"]


def test_the_dry_run_says_when_the_integration_would_not_get_the_event() -> None:
    consenting = replace(default_integration(), consent_categories=("ads",))
    denied = {**EXAMPLE_EVENT, "context": {"consent": {"categoryPreferences": {"ads": False}}}}
    result = dry_run(json.dumps(denied), integration=consenting)
    assert result == {"error": "Not sent (filtered): consent not granted for: ads."}
