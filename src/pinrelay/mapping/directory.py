"""A directory of pipeline YAML files (`pinrelay serve --pipelines DIR`), reloaded on change.

Files are `*.yaml` / `*.yml` directly in the directory, read in file-name order; their
pipelines apply to every integration (see `pipeline.layering`). Changes are found by polling
(size and mtime of each file, every `PINRELAY_PIPELINES_POLL_SECONDS`): no extra dependency,
and it works on every filesystem, including the bind mounts of containers where inotify does
not. Polling a handful of small files costs nothing next to the ingest path.

At start every file must load (strict checks included): a server should not start with a
broken mapping. After that, a file that fails to load is logged, one entry per problem with
file:line:col, and its last good pipelines stay in force: a bad file never replaces a good
one in a running server. A deleted file's pipelines go away.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import structlog

from pinrelay.errors import PipelineError
from pinrelay.pipeline.evaluator import PipelineSet
from pinrelay.pipeline.loader import load_pipeline_file
from pinrelay.pipeline.loadproblems import PipelineLoadError, PipelineProblem
from pinrelay.pipeline.model import PipelineDefinition

logger = structlog.get_logger(__name__)

SUFFIXES = (".yaml", ".yml")
Stamp = tuple[int, int]  # (mtime_ns, size)


class PipelineDirectory:
    """The pipelines of one directory, as last loaded successfully."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.generation = 0  # changes whenever `definitions` does
        self._stamps: dict[Path, Stamp] = {}
        self._good: dict[Path, list[PipelineDefinition]] = {}

    def _scan(self) -> dict[Path, Stamp]:
        stamps: dict[Path, Stamp] = {}
        with os.scandir(self.path) as entries:
            for entry in entries:
                if entry.is_file() and entry.name.endswith(SUFFIXES):
                    info = entry.stat()
                    stamps[Path(entry.path)] = (info.st_mtime_ns, info.st_size)
        return stamps

    @property
    def definitions(self) -> list[PipelineDefinition]:
        """Every pipeline of the directory, in file-name order."""
        good = self._good  # one read: `poll` swaps the whole dict from another thread
        return [d for file in sorted(good) for d in good[file]]

    def load(self) -> None:
        """First load: raises PipelineLoadError (every problem) if any file is invalid."""
        if not self.path.is_dir():
            raise PipelineError(f"the pipelines directory {self.path} does not exist")
        stamps = self._scan()
        problems: list[PipelineProblem] = []
        good: dict[Path, list[PipelineDefinition]] = {}
        for file in sorted(stamps):
            try:
                good[file] = load_pipeline_file(file, strict=True)
            except PipelineLoadError as error:
                problems.extend(error.problems)
        if problems:
            raise PipelineLoadError(problems)
        PipelineSet(d for file in sorted(good) for d in good[file])  # unique names, compiles
        self._good, self._stamps = good, stamps
        self.generation += 1

    def poll(self) -> bool:
        """Reload changed files; True if the pipelines changed. Never raises on bad files.

        Runs in a worker thread while the ingest path reads `definitions`: the new state is
        built aside and swapped in with one assignment, never changed in place."""
        try:
            stamps = self._scan()
        except OSError as error:
            logger.error("cannot read the pipelines directory", action="pipelines.scan_failed",
                         directory=str(self.path), error=str(error))  # fmt: skip
            return False
        good = {file: found for file, found in self._good.items() if file in stamps}
        for file in [f for f in self._good if f not in stamps]:
            logger.info("pipeline file removed", action="pipelines.removed", file=str(file))
        changed = len(good) != len(self._good)
        for file in sorted(stamps):
            if self._stamps.get(file) == stamps[file]:
                continue
            definitions = self._reload(file, good)
            if definitions is not None:
                good[file] = definitions
                changed = True
        self._stamps = stamps
        if changed:
            self._good = good
            self.generation += 1
        return changed

    def _reload(
        self, file: Path, good: dict[Path, list[PipelineDefinition]]
    ) -> list[PipelineDefinition] | None:
        """The file's pipelines, or None (logged) when they cannot replace the last good."""
        try:
            definitions = load_pipeline_file(file, strict=True)
            others = [d for f in sorted(good) if f != file for d in good[f]]
            PipelineSet([*others, *definitions])  # names must stay unique across files
        except PipelineLoadError as error:
            for problem in error.problems:
                logger.error(
                    "pipeline file rejected; its last good version stays in force",
                    action="pipelines.rejected",
                    problem=str(problem),
                )
            return None
        except PipelineError as error:
            logger.error("pipeline file rejected; its last good version stays in force",
                         action="pipelines.rejected", problem=str(error))  # fmt: skip
            return None
        names = [definition.name for definition in definitions]
        logger.info("pipeline file loaded", action="pipelines.loaded", file=str(file),
                    pipelines=names)  # fmt: skip
        return definitions

    async def watch(self, poll_seconds: float, stop: asyncio.Event) -> None:
        """Poll until `stop` is set."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), poll_seconds)
            except TimeoutError:
                await asyncio.to_thread(self.poll)
