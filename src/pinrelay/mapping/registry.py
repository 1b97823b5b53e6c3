"""The pipelines each integration runs: presets, the directory and the admin API, combined.

The one source of an integration's pipelines for everything that maps a message: ingest, the
UI's dry run and event journey, `pinrelay pipeline list`. `pipeline_registry` builds the
server's registry from its settings and store; `watch_pipelines` keeps the directory fresh.

`pipelines_for(integration)` is on the ingest hot path, so the compiled set of each
integration is cached and rebuilt only when something it depends on changes: the
integration's settings (`updated_at`), the stored pipelines (`revision`) or the directory
(`generation`). Layering rules: `pipeline.layering`.

Integration settings read here: `presets` (false: only the user's own pipelines run),
`custom_events` (false: no `custom` fallback preset) and `disabled_presets` (presets left out).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import structlog

from pinrelay.mapping.directory import PipelineDirectory
from pinrelay.pipeline.evaluator import PipelineSet
from pinrelay.pipeline.layering import Layered, override
from pinrelay.pipeline.loader import load_pipeline_text
from pinrelay.pipeline.loadproblems import PipelineLoadError
from pinrelay.pipeline.model import PipelineDefinition
from pinrelay.pipeline.presets import enabled_presets, preset_definitions
from pinrelay.settings import Settings
from pinrelay.store.base import Store
from pinrelay.store.records import Integration, StoredPipeline

logger = structlog.get_logger(__name__)

MAX_PIPELINES_PER_INTEGRATION = 50  # user pipelines: the directory's plus the admin API's
MAX_SHARED_SETS = 256  # distinct compiled sets kept for sharing (cleared when full)

StoredLookup = Callable[[str], Sequence[StoredPipeline]]


@lru_cache(maxsize=1)
def _presets() -> tuple[PipelineDefinition, ...]:
    return tuple(preset_definitions())


def stored_definition(stored: StoredPipeline) -> PipelineDefinition:
    """One stored pipeline (it was checked before it was saved)."""
    file_name = f"api:{stored.integration_id}/{stored.name}@v{stored.version}"
    (definition,) = load_pipeline_text(stored.yaml, file_name=file_name, strict=True)
    return definition


@dataclass(frozen=True)
class Resolved:
    """The compiled set of one integration and where each of its pipelines came from."""

    pipelines: PipelineSet
    layers: tuple[Layered, ...]

    def origin_of(self, name: str) -> str | None:
        return next((item.describe() for item in self.layers if item.name == name), None)


class PipelineRegistry:
    def __init__(
        self,
        *,
        directory: PipelineDirectory | None = None,
        stored: StoredLookup | None = None,
        revision: Callable[[], int] | None = None,
    ) -> None:
        self.directory = directory
        self._stored = stored
        self._revision = revision
        self._cache: dict[str, tuple[Hashable, Resolved]] = {}
        # parsed stored pipelines by (integration, name, version): a version never changes
        self._parsed: dict[tuple[str, str, int], PipelineDefinition] = {}
        # compiled sets by the identity of their definitions: integrations running the same
        # pipelines (presets, the directory) share one set, so ingest evaluates it once per
        # event for all of them (Ingestor._record). Holding the definitions keeps ids unique.
        self._sets: dict[tuple[int, ...], tuple[tuple[PipelineDefinition, ...], PipelineSet]] = {}

    def _stamp(self, integration: Integration) -> Hashable:
        settings = integration.settings
        return (
            integration.updated_at,
            settings.get("presets", True),
            settings.get("custom_events", True),
            tuple(settings.get("disabled_presets") or ()),
            self._revision() if self._revision is not None else 0,
            self.directory.generation if self.directory is not None else 0,
        )

    def user_pipeline_count(self, integration_id: str) -> int:
        directory = len(self.directory.definitions) if self.directory is not None else 0
        stored = len(self._stored(integration_id)) if self._stored is not None else 0
        return directory + stored

    def layers_for(self, integration: Integration) -> list[Layered]:
        """Every pipeline the integration runs, in evaluation order, with its origin."""
        presets: list[Layered] = []
        if integration.settings.get("presets", True):
            presets = [
                Layered(d, "preset") for d in enabled_presets(_presets(), integration.settings)
            ]
        directory = [
            Layered(d, "directory")
            for d in (self.directory.definitions if self.directory is not None else [])
        ]
        api: list[Layered] = []
        current = list(self._stored(integration.id)) if self._stored is not None else []
        keys = {(s.integration_id, s.name, s.version) for s in current}
        for key in [k for k in self._parsed if k[0] == integration.id and k not in keys]:
            del self._parsed[key]  # old versions and deleted pipelines
        for stored in current:
            key = (stored.integration_id, stored.name, stored.version)
            if key not in self._parsed:
                try:
                    self._parsed[key] = stored_definition(stored)
                except PipelineLoadError as error:  # saved by a pinrelay with laxer checks
                    logger.error("stored pipeline no longer loads; skipped",
                                 action="pipelines.stored_invalid", problem=str(error))  # fmt: skip
                    continue
            api.append(Layered(self._parsed[key], "api", stored.version))
        return override(override(presets, directory), api)

    def resolve(self, integration: Integration) -> Resolved:
        stamp = self._stamp(integration)
        cached = self._cache.get(integration.id)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        layers = tuple(self.layers_for(integration))
        resolved = Resolved(self._compiled(tuple(item.definition for item in layers)), layers)
        self._cache[integration.id] = (stamp, resolved)
        return resolved

    def _compiled(self, definitions: tuple[PipelineDefinition, ...]) -> PipelineSet:
        key = tuple(id(definition) for definition in definitions)
        found = self._sets.get(key)
        if found is None:
            if len(self._sets) >= MAX_SHARED_SETS:
                self._sets.clear()
            found = self._sets[key] = (definitions, PipelineSet(definitions))
        return found[1]

    def pipelines_for(self, integration: Integration) -> PipelineSet:
        """The compiled set the ingest path runs for the integration (cached)."""
        return self.resolve(integration).pipelines


def default_integration() -> Integration:
    """An integration with default settings, for mapping and listing without a database
    (`pinrelay pipeline run | list`, the UI's dry run with no integration chosen)."""
    return Integration(
        id="(default)", source_id="", vendor="pinterest_ads", name="(default settings)",
        enabled=True, ad_account_id="", conversion_token_enc=b"", conversion_token_hint="",
        test_mode=False, consent_categories=(), settings={}, paused_reason=None,
        created_at=0.0, updated_at=0.0,
    )  # fmt: skip


_PRESETS_ONLY = PipelineRegistry()


def presets_for(integration: Integration) -> PipelineSet:
    """The presets an integration's settings leave on, layered like the server does (for
    callers with no store, e.g. unit tests of the Tag mapping)."""
    return _PRESETS_ONLY.pipelines_for(integration)


def store_registry(store: Store) -> PipelineRegistry:
    """A registry of the presets and the store's admin API pipelines (no directory): what a
    caller without the server's registry uses, so it still layers like the server."""
    return PipelineRegistry(stored=store.list_pipelines, revision=store.pipelines_revision)


def pipeline_registry(settings: Settings, store: Store) -> PipelineRegistry:
    """The server's registry: presets, the `--pipelines` directory (loaded strictly at start:
    a broken file stops the start with every problem listed) and the store's API pipelines."""
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
