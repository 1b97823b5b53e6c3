"""An in-process copy of the catalog (sources, integrations, admin tokens, pipelines).

Every collect and admin request reads the catalog, so it is read from memory, synchronously.
With one process owning the database that copy is the truth (SQLite); with several processes
it is a cache: each replaces it whole with a fresh `CatalogSnapshot` whenever the database's
catalog version moves (store/postgres/catalog.py polls it), so a change made through any
process is seen by every other within about a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pinrelay.store.records import AdminToken, Integration, Source, StoredPipeline


@dataclass(frozen=True)
class CatalogSnapshot:
    """The whole catalog at one catalog version (all small tables)."""

    version: int = -1
    sources: tuple[tuple[Source, str], ...] = ()  # (source, write key hash), creation order
    integrations: tuple[Integration, ...] = ()  # creation order
    admin_tokens: tuple[tuple[AdminToken, str], ...] = ()  # (token, token hash)
    pipelines: tuple[StoredPipeline, ...] = ()  # creation order


@dataclass
class CatalogCache:
    """Sync reads of the latest snapshot; `replace` swaps in a new one atomically."""

    snapshot: CatalogSnapshot = field(default_factory=CatalogSnapshot)
    pipelines_revision: int = 0
    _sources: dict[str, Source] = field(default_factory=dict)
    _by_key_hash: dict[str, Source] = field(default_factory=dict)
    _integrations: dict[str, Integration] = field(default_factory=dict)
    _tokens_by_hash: dict[str, AdminToken] = field(default_factory=dict)
    _pipelines: dict[str, list[StoredPipeline]] = field(default_factory=dict)

    def replace(self, snapshot: CatalogSnapshot) -> None:
        if snapshot.pipelines != self.snapshot.pipelines:
            self.pipelines_revision += 1
        pipelines: dict[str, list[StoredPipeline]] = {}
        for stored in snapshot.pipelines:
            pipelines.setdefault(stored.integration_id, []).append(stored)
        # Build every index first, then swap: a reader never sees half a catalog.
        sources = {source.id: source for source, _ in snapshot.sources}
        by_hash = {key_hash: source for source, key_hash in snapshot.sources}
        integrations = {i.id: i for i in snapshot.integrations}
        tokens = {key_hash: t for t, key_hash in snapshot.admin_tokens if t.active}
        self.snapshot = snapshot
        self._sources, self._by_key_hash = sources, by_hash
        self._integrations, self._tokens_by_hash = integrations, tokens
        self._pipelines = pipelines

    def source_for_write_key_hash(self, write_key_hash: str) -> Source | None:
        return self._by_key_hash.get(write_key_hash)

    def list_sources(self) -> list[Source]:
        return list(self._sources.values())

    def get_source(self, source_id: str) -> Source | None:
        return self._sources.get(source_id)

    def list_integrations(self, source_id: str | None = None) -> list[Integration]:
        return [
            i for i in self._integrations.values() if source_id is None or i.source_id == source_id
        ]

    def get_integration(self, integration_id: str) -> Integration | None:
        return self._integrations.get(integration_id)

    def admin_token_for_hash(self, token_hash: str) -> AdminToken | None:
        return self._tokens_by_hash.get(token_hash)

    def list_admin_tokens(self) -> list[AdminToken]:
        return [token for token, _ in self.snapshot.admin_tokens]

    def list_pipelines(self, integration_id: str) -> list[StoredPipeline]:
        return list(self._pipelines.get(integration_id, ()))
