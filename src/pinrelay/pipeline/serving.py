"""The pipelines of a running server: the registry built from the settings, and its watcher.

Glue between `Gateway` (app.py) and the pipeline package, kept here so app.py changes by a
few lines: presets, the `--pipelines` directory (loaded strictly at start: a broken file
stops the start with every problem listed) and the store's admin API pipelines.
"""

from __future__ import annotations

import asyncio

from pinrelay.pipeline.directory import PipelineDirectory
from pinrelay.pipeline.registry import PipelineRegistry
from pinrelay.settings import Settings
from pinrelay.store.base import Store


def pipeline_registry(settings: Settings, store: Store) -> PipelineRegistry:
    directory = None
    if settings.pipelines_dir is not None:
        directory = PipelineDirectory(settings.pipelines_dir)
        directory.load()
    return PipelineRegistry(
        directory=directory, stored=store.list_pipelines, revision=store.pipelines_revision
    )


def watch_pipelines(registry: PipelineRegistry, settings: Settings) -> asyncio.Task[None] | None:
    """A task polling the directory for changes (None without a directory); cancel to stop."""
    if registry.directory is None:
        return None
    never = asyncio.Event()
    return asyncio.create_task(
        registry.directory.watch(settings.pipelines_poll_seconds, never), name="pipelines-watch"
    )
