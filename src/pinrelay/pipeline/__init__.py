"""pipeline stage: YAML pipelines that turn a Segment message into Pinterest events.

    from pinrelay.pipeline import EventInput, load_presets

    pipelines = load_presets()                       # once, at start
    for output in pipelines.evaluate(EventInput(message, cookies, identity_keys)):
        output.pipeline, output.event, output.notes  # per event

Modules, in data-flow order: yamlmarks -> loader (+ fieldreader, problems, identitycheck)
-> model -> compiler (+ paths, transforms, conditions) -> evaluator (+ triggerindex, events,
shaping, finishing); presets.

Where pipelines come from and what runs per integration: directory (`--pipelines DIR`,
hot reload), layering (override rules), registry (cached compiled set per integration),
serving (glue for app.py), listing (read-only database access for the CLI). After the
pipelines: integrationoptions (+ appcontext, privacy). For the event debugger: tracing.
"""

from pinrelay.pipeline.evaluator import PipelineSet
from pinrelay.pipeline.events import EventInput, PipelineOutput
from pinrelay.pipeline.loader import load_pipeline_file, load_pipeline_files, load_pipeline_text
from pinrelay.pipeline.model import PipelineDefinition
from pinrelay.pipeline.presets import load_presets, presets_with
from pinrelay.pipeline.problems import PipelineLoadError, PipelineProblem

__all__ = [
    "EventInput",
    "PipelineDefinition",
    "PipelineLoadError",
    "PipelineOutput",
    "PipelineProblem",
    "PipelineSet",
    "load_pipeline_file",
    "load_pipeline_files",
    "load_pipeline_text",
    "load_presets",
    "presets_with",
]
