"""pipeline stage: YAML pipelines that turn a Segment message into Pinterest events.

    from pinrelay.pipeline import EventInput, load_presets

    pipelines = load_presets()                       # once, at start
    for output in pipelines.evaluate(EventInput(message, cookies, identity_keys)):
        output.pipeline, output.event, output.notes  # per event

The language core, pure: nothing here imports the store, the settings or an HTTP framework
(tests/unit/test_import_graph.py), and nothing reads a file it was not handed. Modules, in
data-flow order: yamlmarks -> loader (+ fieldreader, loadproblems, identitycheck, regex)
-> model -> compiler (+ paths, transforms, conditions) -> evaluator (+ triggerindex, events,
finishing); presets (the built-in pipelines); layering (the one override rule: a later
pipeline replaces one with its name or trigger); duplicates (two pipelines sending one event,
found from the triggers); tracing (why no pipeline matched, for the debugger).

Where pipelines come from at run time (directory, registry) and what an integration adds
to their events (privacy, app fields) is `pinrelay.mapping`.
"""

from pinrelay.pipeline.evaluator import PipelineSet
from pinrelay.pipeline.events import EventInput, PipelineOutput
from pinrelay.pipeline.loader import load_pipeline_file, load_pipeline_files, load_pipeline_text
from pinrelay.pipeline.loadproblems import PipelineLoadError, PipelineProblem
from pinrelay.pipeline.model import PipelineDefinition
from pinrelay.pipeline.presets import load_presets, presets_with

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
