"""Run a set of compiled pipelines on one source event.

This is on the ingest hot path (once per event per integration), so `PipelineSet` compiles
every definition when it is built: `evaluate` calls one generated function per matching
pipeline (`pipeline.codegen`), held equal to the closure interpreter (`run_reference`).

Matching: every non-fallback pipeline whose trigger holds produces an event (one source event
may give several Pinterest events, each with its own `event_name` and the same `event_id`).
Fallback pipelines (`trigger.fallback: true`) run only when no non-fallback pipeline matched.
Evaluation never raises on a message: what cannot be mapped is dropped and noted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from pinrelay.errors import PipelineError
from pinrelay.pipeline.codegen import generate_run
from pinrelay.pipeline.compiler import Writer, compile_writers
from pinrelay.pipeline.conditions import Predicate, compile_trigger
from pinrelay.pipeline.events import EventInput, PipelineOutput
from pinrelay.pipeline.finishing import finish_user_data, shape_event, without_empty
from pinrelay.pipeline.model import PipelineDefinition
from pinrelay.pipeline.triggerindex import TriggerIndex

__all__ = ["CompiledPipeline", "EventInput", "PipelineOutput", "PipelineSet", "SharedEvaluation"]


@dataclass(frozen=True)
class CompiledPipeline:
    definition: PipelineDefinition
    matches: Predicate
    writers: tuple[Writer, ...]
    # The generated function (pipeline.codegen): what `run_reference` does, in fewer calls.
    run: Callable[[EventInput], PipelineOutput]
    source: str  # its Python source, for debugging

    @classmethod
    def compile(cls, definition: PipelineDefinition) -> CompiledPipeline:
        trigger = definition.trigger
        writers = compile_writers(definition)
        try:
            generated = generate_run(definition)
            run, source = generated.run, generated.source
        except (SyntaxError, RecursionError, MemoryError):
            # too big or too deep for Python's compiler (a hostile definition): interpreted
            run, source = partial(interpret, definition, writers), ""
        return cls(
            definition=definition,
            matches=compile_trigger(trigger.event_types, trigger.conditions),
            writers=writers,
            run=run,
            source=source,
        )

    @property
    def name(self) -> str:
        return self.definition.name

    def run_reference(self, inp: EventInput) -> PipelineOutput:
        """The closure interpreter: the specification `run` is tested against."""
        return interpret(self.definition, self.writers, inp)


def interpret(
    definition: PipelineDefinition, writers: tuple[Writer, ...], inp: EventInput
) -> PipelineOutput:
    """Run the closures of `pipeline.compiler`, then the finishing steps."""
    event: dict[str, Any] = {}
    notes: list[str] = []
    for write in writers:
        write(inp, event, notes)
    shape_event(event, notes)
    merge = definition.identity == "merge"
    finish_user_data(
        event,
        message=inp.message if merge else None,
        identity_keys=inp.identity_keys if merge else {},
        message_keys=inp.message_keys,
        notes=notes,
    )
    return PipelineOutput(definition.name, without_empty(event), tuple(notes), definition.origin)


class PipelineSet:
    """An ordered set of pipelines with unique names, compiled once."""

    def __init__(self, definitions: Iterable[PipelineDefinition] = ()) -> None:
        seen: dict[str, PipelineDefinition] = {}
        for definition in definitions:
            earlier = seen.get(definition.name)
            if earlier is not None:
                raise PipelineError(
                    f"{definition.origin}: pipeline name {definition.name!r} is already used "
                    f"by {earlier.origin}; names must be unique"
                )
            seen[definition.name] = definition
        self._pipelines = tuple(CompiledPipeline.compile(d) for d in seen.values())
        self._regular = TriggerIndex(
            [
                (p, p.definition.trigger)
                for p in self._pipelines
                if not p.definition.trigger.fallback
            ]
        )
        self._fallbacks = TriggerIndex(
            [(p, p.definition.trigger) for p in self._pipelines if p.definition.trigger.fallback]
        )

    @property
    def definitions(self) -> tuple[PipelineDefinition, ...]:
        return tuple(pipeline.definition for pipeline in self._pipelines)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(pipeline.name for pipeline in self._pipelines)

    def __len__(self) -> int:
        return len(self._pipelines)

    def matching(self, message: Mapping[str, Any]) -> tuple[CompiledPipeline, ...]:
        """The pipelines that apply to `message`, fallbacks only if nothing else does; only
        the candidates of the trigger index are tried (see `pipeline.triggerindex`)."""
        matched = tuple(p for p in self._regular.candidates(message) if p.matches(message))
        return matched or tuple(
            p for p in self._fallbacks.candidates(message) if p.matches(message)
        )

    def matching_by_scan(self, message: Mapping[str, Any]) -> tuple[CompiledPipeline, ...]:
        """`matching` without the index, trying every trigger: the benchmark's baseline and
        the reference the index is tested against."""
        regular = [p for p in self._pipelines if not p.definition.trigger.fallback]
        matched = tuple(p for p in regular if p.matches(message))
        fallbacks = [p for p in self._pipelines if p.definition.trigger.fallback]
        return matched or tuple(p for p in fallbacks if p.matches(message))

    def evaluate(self, inp: EventInput) -> list[PipelineOutput]:
        """One output per applying pipeline, in definition order."""
        return [pipeline.run(inp) for pipeline in self.matching(inp.message)]

    def overridden_by(self, overrides: Iterable[PipelineDefinition]) -> PipelineSet:
        """This set with `overrides` applied by name only: a pipeline with the same name
        replaces the one here in place, new names are added at the end. A set operation for
        tests and benchmarks; what an integration runs is layered by `pipeline.layering`
        (name or trigger), the one rule of the server and its previews."""
        replacing = {d.name: d for d in PipelineSet(overrides).definitions}  # names unique
        merged = [replacing.pop(d.name, d) for d in self.definitions]
        return PipelineSet([*merged, *replacing.values()])

    def without(self, *names: str) -> PipelineSet:
        """This set without the named pipelines (e.g. a preset a user turned off)."""
        return PipelineSet(d for d in self.definitions if d.name not in names)


def _event_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _event_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_event_copy(item) for item in value]
    return value


class SharedEvaluation:
    """One pipeline evaluation per event for every integration running the same compiled set
    (the registry shares a set between integrations with the same pipelines). Each gets its
    own copy of the events, since integration options change them in place."""

    def __init__(self) -> None:
        self._done: dict[int, tuple[PipelineSet, list[PipelineOutput]]] = {}

    def outputs(self, pipelines: PipelineSet, event_input: EventInput) -> list[PipelineOutput]:
        found = self._done.get(id(pipelines))
        if found is None:
            found = self._done[id(pipelines)] = (pipelines, pipelines.evaluate(event_input))
        return [replace(output, event=_event_copy(output.event)) for output in found[1]]
