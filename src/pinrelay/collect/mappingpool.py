"""Worker processes that map messages, so big batches and imports use more than one core.

Mapping a message (identity, pipelines, validation, the redacted copy) costs ~200 µs of
Python and needs nothing but the message, the integrations' settings, their pipelines and
what the store remembers of the message's user and device (read by the server beforehand,
in one batched lookup). So the server decodes and checks, and commits, and a pool of
processes runs `collect.ingest.build_records`: the very function the server would run.

- Used by the offline import (`offline.runner`, files over 4 MiB, workers at `nice` 10 so
  live collect gets the CPU first) and by collect for big batches on SQLite
  (`Ingestor(pool=...)`): a backend's 1,000-event batch no longer holds up the browser
  requests behind it on the collect loop for the ~0.2 s it takes to map.
- The workers are spawned (never forked from a server with threads and sockets).
- What a worker maps with travels as a pickled snapshot per source (the source, its
  enabled integrations, their pipeline definitions), made again only when something in it
  changes; conversion tokens are left out of it: a worker has no use for them.
- If the pool breaks (a worker killed, out of memory, a process limit), mapping goes on in
  the server process, slower: nothing is lost, since only the server commits.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import pickle
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace

import msgspec
import structlog

from pinrelay.collect.identities import KnownIdentities
from pinrelay.collect.ingest import RequestInfo, build_records
from pinrelay.collect.messages import AcceptedMessage
from pinrelay.pipeline.evaluator import PipelineSet
from pinrelay.pipeline.model import PipelineDefinition
from pinrelay.store.records import IngestRecord, Integration, Source

logger = structlog.get_logger(__name__)

IMPORT_NICENESS = 10  # below live collect: the kernel runs the server first
MAX_AUTO_WORKERS = 4  # past this the server's own share (read, check, commit) is the limit
KEPT_SNAPSHOTS = 64  # per worker: sources (and their versions) it can map without a reload
_records = msgspec.msgpack.Decoder(list[IngestRecord])
_encoder = msgspec.msgpack.Encoder()


def auto_workers(cpus: int | None = None) -> int:
    """Workers for a host: one per core, up to a few; none on one core, where passing
    messages to a worker would only add work. The server is not left a core of its own:
    it does the rest of each request (two cores: 2 import workers map 1.6x faster than 1)."""
    count = cpus if cpus is not None else usable_cpus()
    return 0 if count < 2 else min(count, MAX_AUTO_WORKERS)


def usable_cpus() -> int:
    """The cores this process may run on (`taskset`, a container's cpuset), not the host's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform (macOS)
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Snapshot:
    """Everything a worker maps one source's messages with."""

    source: Source
    integrations: tuple[Integration, ...]
    definitions: tuple[tuple[PipelineDefinition, ...], ...]  # per integration, in order


def snapshot_of(
    source: Source,
    integrations: Sequence[Integration],
    sets: Sequence[PipelineSet],
) -> Snapshot:
    """What workers need of the integrations and their compiled `sets`: not their tokens."""
    return Snapshot(
        source=source,
        integrations=tuple(replace(i, conversion_token_enc=b"") for i in integrations),
        definitions=tuple(s.definitions for s in sets),
    )


class _Mapper:
    """One snapshot, compiled: integrations that run the same definitions share one
    compiled set, as in the server, so their evaluation is shared too."""

    def __init__(self, snapshot: Snapshot, compiled: dict[bytes, PipelineSet]) -> None:
        self.source = snapshot.source
        self.integrations = snapshot.integrations
        self.pipelines: dict[str, PipelineSet] = {}
        for integration, definitions in zip(
            snapshot.integrations, snapshot.definitions, strict=True
        ):
            digest = hashlib.sha256(pickle.dumps(definitions)).digest()
            if digest not in compiled:
                if len(compiled) >= KEPT_SNAPSHOTS:
                    compiled.clear()
                compiled[digest] = PipelineSet(definitions)  # ~50 ms: once per worker
            self.pipelines[integration.id] = compiled[digest]

    def pipelines_for(self, integration: Integration) -> PipelineSet:
        return self.pipelines[integration.id]


_mappers: OrderedDict[int, _Mapper] = OrderedDict()  # a worker's, by generation (LRU)
_compiled: dict[bytes, PipelineSet] = {}  # a worker's compiled sets, by definitions


def _start_worker(niceness: int) -> None:
    if niceness:
        os.nice(niceness)


def _ready() -> int:
    return os.getpid()


def _map_chunk(
    generation: int,
    snapshot: bytes,
    accepted: list[AcceptedMessage],
    request: RequestInfo,
    known: KnownIdentities,
) -> bytes:
    """In a worker: the records of one request or chunk, msgpack-encoded (cheaper than
    pickle). The snapshot is unpickled only the first time this worker sees it."""
    mapper = _mappers.get(generation)
    if mapper is None:
        # the parent's own pickle over the pool's private pipe (the pool pickles every call)
        mapper = _Mapper(pickle.loads(snapshot), _compiled)  # noqa: S301
        _mappers[generation] = mapper
        if len(_mappers) > KEPT_SNAPSHOTS:
            _mappers.popitem(last=False)
    else:
        _mappers.move_to_end(generation)
    records = build_records(
        mapper.source, accepted, request, mapper.integrations, mapper.pipelines_for, known
    )
    return _encoder.encode(records)


class MappingPool:
    """A pool of mapping processes (spawned on first use, closed by its owner)."""

    def __init__(self, workers: int, *, niceness: int = IMPORT_NICENESS) -> None:
        if workers < 1:
            raise ValueError("a mapping pool needs at least one worker")
        self.workers = workers
        self.mapped = 0  # messages mapped in the workers so far
        self._niceness = niceness
        self._executor: ProcessPoolExecutor | None = None  # made on first use
        self._failed = False
        self._generation = 0
        # per source: (what the snapshot was made of, its generation, its pickle)
        self._snapshots: dict[str, tuple[tuple[object, ...], int, bytes]] = {}
        self._held: dict[str, list[PipelineSet]] = {}  # so the ids in those keys stay theirs
        self._warming: asyncio.Task[None] | None = None
        self._warm = False

    @property
    def broken(self) -> bool:
        """True once the pool failed: messages are mapped in the server from then on."""
        return self._failed

    def _pool(self) -> ProcessPoolExecutor | None:
        if self._executor is None and not self._failed:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self._niceness,),
            )
        return self._executor

    def pids(self) -> list[int]:
        """The workers' process ids (those started so far)."""
        processes = getattr(self._executor, "_processes", None) or {}
        return sorted(processes)

    @property
    def up(self) -> bool:
        """Whether every worker is up and the pool works (no side effect: `ready` starts it)."""
        return self._warm and not self._failed

    def ready(self) -> bool:
        """Whether every worker is up. The first call starts them in the background (a
        second or so): a caller that must not wait maps in process until then."""
        if self._warm or self._failed:
            return self.up
        if self._warming is None:
            self._warming = asyncio.get_running_loop().create_task(self._warm_up())
        return False

    async def _warm_up(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            executor = self._pool()
            if executor is None:
                return
            await asyncio.gather(
                *(loop.run_in_executor(executor, _ready) for _ in range(self.workers))
            )
        except (BrokenProcessPool, OSError) as exc:
            self._break(exc)
            return
        self._warm = True

    def _snapshot_for(
        self,
        source: Source,
        integrations: Sequence[Integration],
        pipelines: Callable[[Integration], PipelineSet],
    ) -> tuple[int, bytes]:
        sets = [pipelines(integration) for integration in integrations]
        key = (source, tuple(integrations), *(id(s) for s in sets))
        known = self._snapshots.get(source.id)
        if known is not None and known[0] == key:
            return known[1], known[2]
        self._generation += 1
        snapshot = snapshot_of(source, integrations, sets)
        encoded = pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)
        self._snapshots[source.id] = (key, self._generation, encoded)
        self._held[source.id] = sets
        return self._generation, encoded

    async def build_records(
        self,
        source: Source,
        accepted: list[AcceptedMessage],
        request: RequestInfo,
        integrations: Sequence[Integration],
        pipelines: Callable[[Integration], PipelineSet],
        known: KnownIdentities,
    ) -> list[IngestRecord]:
        """The records of `accepted`, mapped in a worker (or here, once the pool broke)."""
        if not self._failed:
            loop = asyncio.get_running_loop()
            try:
                executor = self._pool()
                assert executor is not None  # not failed
                generation, snapshot = self._snapshot_for(source, integrations, pipelines)
                encoded = await loop.run_in_executor(
                    executor, _map_chunk, generation, snapshot, accepted, request, known
                )
                self.mapped += len(accepted)
                return _records.decode(encoded)
            except (BrokenProcessPool, OSError, pickle.PicklingError) as exc:
                # a worker died, could not start (process limits), or the snapshot would
                # not pickle: the records are the same either way, only slower
                self._break(exc)
        return build_records(source, accepted, request, integrations, pipelines, known)

    def _break(self, exc: BaseException) -> None:
        if self._failed:
            return
        self._failed = True
        logger.error(
            "mapping workers stopped; messages are mapped in the server process",
            action="mapping.workers_broken",
            error=f"{type(exc).__name__}: {str(exc)[:200]}",
        )
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    async def close(self) -> None:
        """Stop the workers (off the event loop: joining processes blocks)."""
        warming, self._warming = self._warming, None
        if warming is not None:
            warming.cancel()
            await asyncio.gather(warming, return_exceptions=True)
        self._failed = True  # closed: whatever still comes is mapped here
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
