"""The built-in pipelines: Segment's standard events mapped to Pinterest's event names.

Shipped as YAML in `pinrelay/pipeline/presets/` (package data, read with importlib.resources
so it works from a wheel or a zip) in the same format users write, so a preset is also the
example to copy. Users' own pipelines layer over these (`pipeline.layering`: same name or
same trigger replaces, new ones are added).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib.resources import files
from typing import Any

from pinrelay.pipeline.evaluator import PipelineSet
from pinrelay.pipeline.layering import Layered, layered_set, override
from pinrelay.pipeline.loader import load_pipeline_text
from pinrelay.pipeline.loadproblems import PipelineLoadError, PipelineProblem
from pinrelay.pipeline.model import PipelineDefinition

# The YAML lives in the folder `presets/` beside this module (package data).
PRESET_PACKAGE = "pinrelay.pipeline"
PRESET_FOLDER = "presets"
CUSTOM_EVENTS_PRESET = "custom"  # the fallback: any other track call -> `custom`


def preset_definitions() -> list[PipelineDefinition]:
    """Every preset, in file-name order (which is also their evaluation order)."""
    definitions: list[PipelineDefinition] = []
    problems: list[PipelineProblem] = []
    resources = sorted(
        (
            entry
            for entry in files(PRESET_PACKAGE).joinpath(PRESET_FOLDER).iterdir()
            if entry.name.endswith(".yaml")
        ),
        key=lambda entry: entry.name,
    )
    for resource in resources:
        try:
            definitions.extend(
                load_pipeline_text(
                    resource.read_text(encoding="utf-8"), file_name=f"presets/{resource.name}"
                )
            )
        except PipelineLoadError as error:
            problems.extend(error.problems)
    if problems:
        raise PipelineLoadError(problems)
    return definitions


@lru_cache(maxsize=1)
def preset_names() -> frozenset[str]:
    """The names of the presets (what `settings.disabled_presets` may list)."""
    return frozenset(d.name for d in preset_definitions())


def enabled_presets(
    definitions: Iterable[PipelineDefinition], settings: Mapping[str, Any]
) -> list[PipelineDefinition]:
    """The presets an integration's settings leave on: `custom_events` and `disabled_presets`."""
    off = set(settings.get("disabled_presets") or ())
    if not settings.get("custom_events", True):
        off.add(CUSTOM_EVENTS_PRESET)
    return [d for d in definitions if d.name not in off]


def load_presets(*, custom_events: bool = True) -> PipelineSet:
    """The presets as a compiled set; `custom_events=False` leaves out the `custom` fallback."""
    definitions = preset_definitions()
    if not custom_events:
        definitions = [d for d in definitions if d.name != CUSTOM_EVENTS_PRESET]
    return PipelineSet(definitions)


def presets_with(
    user_pipelines: Iterable[PipelineDefinition], *, custom_events: bool = True
) -> PipelineSet:
    """The presets overridden and extended by `user_pipelines`, by the layering rule."""
    presets = load_presets(custom_events=custom_events).definitions
    return layered_set(
        override(
            [Layered(d, "preset") for d in presets],
            [Layered(d, "directory") for d in user_pipelines],
        )
    )
