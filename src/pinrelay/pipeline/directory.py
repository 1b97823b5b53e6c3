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
from pinrelay.pipeline.model import PipelineDefinition
from pinrelay.pipeline.problems import PipelineLoadError, PipelineProblem

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
        return [d for file in sorted(self._good) for d in self._good[file]]

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
        """Reload changed files; True if the pipelines changed. Never raises on bad files."""
        try:
            stamps = self._scan()
        except OSError as error:
            logger.error("cannot read the pipelines directory", action="pipelines.scan_failed",
                         directory=str(self.path), error=str(error))  # fmt: skip
            return False
        changed = False
        for file in [f for f in self._good if f not in stamps]:
            del self._good[file]
            changed = True
            logger.info("pipeline file removed", action="pipelines.removed", file=str(file))
        for file in sorted(stamps):
            if self._stamps.get(file) == stamps[file]:
                continue
            changed |= self._reload(file)
        self._stamps = stamps
        if changed:
            self.generation += 1
        return changed

    def _reload(self, file: Path) -> bool:
        try:
            definitions = load_pipeline_file(file, strict=True)
            others = [d for f in sorted(self._good) if f != file for d in self._good[f]]
            PipelineSet([*others, *definitions])  # names must stay unique across files
        except PipelineLoadError as error:
            for problem in error.problems:
                logger.error(
                    "pipeline file rejected; its last good version stays in force",
                    action="pipelines.rejected",
                    problem=str(problem),
                )
            return False
        except PipelineError as error:
            logger.error("pipeline file rejected; its last good version stays in force",
                         action="pipelines.rejected", problem=str(error))  # fmt: skip
            return False
        self._good[file] = definitions
        names = [definition.name for definition in definitions]
        logger.info("pipeline file loaded", action="pipelines.loaded", file=str(file),
                    pipelines=names)  # fmt: skip
        return True

    async def watch(self, poll_seconds: float, stop: asyncio.Event) -> None:
        """Poll until `stop` is set."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), poll_seconds)
            except TimeoutError:
                await asyncio.to_thread(self.poll)
