"""The SQLite store's identity side (issue 3): source settings, what is remembered of users
and devices, and the match-quality counters.

A mixin of `SQLiteStore`, kept apart so the store module stays readable; it works on the
store's own state (the `_StoreState` protocol). Counters are added in the ingest's group
commit: per integration, hour and key, a few upserts per group, whatever the number of events.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from pinrelay.errors import NotFound
from pinrelay.store.records import IngestRecord, Source, StoredIdentity
from pinrelay.store.rows import match_key_counts
from pinrelay.store.sql import load_queries
from pinrelay.store.sqlite.identitycache import IdentityCache
from pinrelay.store.sqlite.subjectfilter import SubjectFilter
from pinrelay.store.sqlite.writer import GroupCommitWriter

T = TypeVar("T")
SECONDS_PER_HOUR = 3600
MAX_SUBJECTS_PER_READ = 500  # bound variables per identity read

Q = load_queries("pinrelay.store.sqlite", "queries.sql")


class _StoreState(Protocol):
    _sources: dict[str, Source]
    _write_key_hashes: dict[str, str]
    _identities: IdentityCache
    _subjects: SubjectFilter
    _writer: GroupCommitWriter

    def _remember_source(self, source: Source, write_key_hash: str) -> None: ...
    async def _read(self, query: Callable[[sqlite3.Connection], T]) -> T: ...


class SQLiteIdentityMixin:
    async def update_source(
        self: _StoreState,
        source_id: str,
        *,
        name: str | None = None,
        default_country: str | None = None,
    ) -> Source:
        current = self._sources.get(source_id)
        if current is None:
            raise NotFound(f"source {source_id} does not exist")
        changed = replace(
            current,
            name=current.name if name is None else name,
            default_country=current.default_country if default_country is None else default_country,
        )
        params = {
            "id": source_id,
            "name": changed.name,
            "default_country": changed.default_country,
            "now": time.time(),
        }
        await self._writer.run(lambda conn: conn.execute(Q["update_source"], params))
        self._remember_source(changed, self._write_key_hashes[source_id])
        return changed

    async def identities_for(
        self: _StoreState, source_id: str, subjects: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], StoredIdentity]:
        """From the cache; the misses the subject filter says may be stored, in one read on a
        read connection (off the loop); the others are new (nothing to read or cache)."""
        found: dict[tuple[str, str], StoredIdentity] = {}
        missing: list[tuple[str, str]] = []
        for kind, subject in subjects:
            cached = self._identities.get(source_id, kind, subject)
            if cached is not None:
                found[(kind, subject)] = cached
            elif self._subjects.may_hold(source_id, kind, subject):
                missing.append((kind, subject))
            else:
                found[(kind, subject)] = StoredIdentity()
        if missing:
            read = await self._read(lambda conn: _read_identities(conn, source_id, missing))
            for key, stored in read.items():
                self._identities.put(source_id, *key, stored)
                found[key] = stored
        return found

    async def match_key_counts(
        self: _StoreState, integration_id: str, *, since: float
    ) -> dict[str, int]:
        params = {"integration_id": integration_id, "since_hour": int(since // SECONDS_PER_HOUR)}
        rows = await self._read(
            lambda conn: conn.execute(Q["select_match_key_counts"], params).fetchall()
        )
        return {row[0]: int(row[1]) for row in rows}


def _read_identities(
    conn: sqlite3.Connection, source_id: str, subjects: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], StoredIdentity]:
    """One query per kind for all of a request's subjects (chunked under SQLite's limit)."""
    found: dict[tuple[str, str], StoredIdentity] = dict.fromkeys(subjects, StoredIdentity())
    by_kind: dict[str, list[str]] = {}
    for kind, subject in subjects:
        by_kind.setdefault(kind, []).append(subject)
    for kind, names in by_kind.items():
        for start in range(0, len(names), MAX_SUBJECTS_PER_READ):
            chunk = names[start : start + MAX_SUBJECTS_PER_READ]
            marks = ", ".join("?" * len(chunk))
            query = Q["select_identities"].replace("(:subjects)", f"({marks})")
            for row in conn.execute(query, [source_id, kind, *chunk]):
                found[(kind, row["subject"])] = StoredIdentity(
                    json.loads(row["match_keys"]), row["click_id"], row["click_id_at"]
                )
    return found


def write_match_key_counts(conn: sqlite3.Connection, records: Sequence[IngestRecord]) -> None:
    """Add the keys the new records' outbox rows carry to the hourly counters."""
    counts = match_key_counts(records)
    conn.executemany(
        Q["add_match_key_counts"],
        [
            {"integration_id": integration_id, "hour": hour, "key": key, "events": events}
            for (integration_id, hour, key), events in counts.items()
        ],
    )
