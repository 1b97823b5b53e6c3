"""Which pipelines an integration runs: presets, directory, admin API; overrides; caching."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pinrelay.mapping.directory import PipelineDirectory
from pinrelay.mapping.registry import PipelineRegistry, default_integration
from pinrelay.pipeline.presets import load_presets
from pinrelay.store.records import StoredPipeline

CHECKOUT_TRIGGER = (
    "trigger:\n  event: track\n  conditions:\n"
    "    - {field: event, operator: equals, value: ORDER_COMPLETED}\n"
)


def own(name: str, trigger: str = CHECKOUT_TRIGGER, event_name: str = "checkout") -> str:
    return (
        f"name: {name}\n{trigger}"
        f"transform:\n  static:\n    - {{target: event_name, value: {event_name}}}\n"
    )


def stored(name: str, yaml: str, version: int = 1) -> StoredPipeline:
    return StoredPipeline("(default)", name, version, yaml, 0.0, 0.0)


def test_by_default_the_presets_run() -> None:
    registry = PipelineRegistry()
    assert registry.pipelines_for(default_integration()).names == load_presets().names


def test_a_user_pipeline_replaces_the_preset_with_the_same_trigger_in_place() -> None:
    rows = [stored("my_checkout", own("my_checkout"))]
    registry = PipelineRegistry(stored=lambda _: rows)
    names = registry.pipelines_for(default_integration()).names
    preset_names = load_presets().names
    assert "checkout" not in names
    assert names.index("my_checkout") == preset_names.index("checkout")


def test_a_user_pipeline_replaces_the_preset_with_the_same_name() -> None:
    other_trigger = "trigger:\n  event: page\n"
    rows = [stored("checkout", own("checkout", other_trigger))]
    layers = PipelineRegistry(stored=lambda _: rows).layers_for(default_integration())
    (checkout,) = [item for item in layers if item.name == "checkout"]
    assert checkout.layer == "api"
    assert checkout.describe() == "api v1 api:(default)/checkout@v1"


def test_user_pipelines_of_one_layer_may_share_a_trigger() -> None:
    rows = [stored("a", own("a")), stored("b", own("b", event_name="lead"))]
    names = PipelineRegistry(stored=lambda _: rows).pipelines_for(default_integration()).names
    assert ("a" in names, "b" in names, "checkout" in names) == (True, True, False)


def test_the_api_overrides_the_directory_which_overrides_the_presets(tmp_path: Path) -> None:
    (tmp_path / "checkout.yaml").write_text(own("dir_checkout"))
    directory = PipelineDirectory(tmp_path)
    directory.load()
    registry = PipelineRegistry(directory=directory)
    assert "dir_checkout" in registry.pipelines_for(default_integration()).names
    rows = [stored("api_checkout", own("api_checkout"))]
    registry = PipelineRegistry(directory=directory, stored=lambda _: rows)
    names = registry.pipelines_for(default_integration()).names
    assert "api_checkout" in names
    assert "dir_checkout" not in names


def test_presets_and_custom_events_can_be_turned_off() -> None:
    rows = [stored("mine", own("mine"))]
    registry = PipelineRegistry(stored=lambda _: rows)
    off = replace(default_integration(), settings={"presets": False})
    assert registry.pipelines_for(off).names == ("mine",)
    no_custom = replace(default_integration(), settings={"custom_events": False})
    assert "custom" not in registry.pipelines_for(no_custom).names


def test_the_compiled_set_is_cached_until_something_changes() -> None:
    rows: list[StoredPipeline] = []
    revision = [0]
    registry = PipelineRegistry(stored=lambda _: rows, revision=lambda: revision[0])
    integration = default_integration()
    first = registry.pipelines_for(integration)
    assert registry.pipelines_for(integration) is first
    rows.append(stored("mine", own("mine", "trigger:\n  event: page\n")))
    assert registry.pipelines_for(integration) is first  # nobody said it changed
    revision[0] += 1
    assert "mine" in registry.pipelines_for(integration).names
    changed = replace(integration, updated_at=1.0, settings={"presets": False})
    assert registry.pipelines_for(changed).names == ("mine",)


def test_integrations_with_the_same_pipelines_share_one_compiled_set() -> None:
    registry = PipelineRegistry()
    first = replace(default_integration(), id="int_1")
    second = replace(default_integration(), id="int_2")
    assert registry.pipelines_for(first) is registry.pipelines_for(second)
    no_custom = replace(default_integration(), id="int_3", settings={"custom_events": False})
    assert registry.pipelines_for(no_custom) is not registry.pipelines_for(first)
