"""Worker processes that map an import's rows, so a big file uses more than one core.

Mapping a row (identity, pipelines, validation, the redacted copy) costs ~200 µs of Python
and needs nothing but the row, the integrations' settings, their pipelines and what the
store remembers of the row's user (read by the server beforehand, in one batched lookup).
So the server reads the file, checks each row's message and commits, and a pool of
processes runs `collect.ingest.build_records`: the same function a live request runs.

- The workers are spawned (never forked from a server with threads and sockets) and run at
  a lower priority (`nice`), so on a busy host the kernel gives live collect the CPU first.
- What a worker maps with travels as one pickled snapshot, sent again only when something
  in it changed (an integration's settings, its pipelines, the source); conversion tokens
  are left out of it: a worker has no use for them.
- If the pool breaks (a worker killed, out of memory), the import goes on in the server
  process, slower: nothing is lost, since rows are committed in order by the server alone.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
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

WORKER_NICENESS = 10  # below live collect: the kernel runs the server first
MAX_AUTO_WORKERS = 4  # past this the server's own share (read, check, commit) is the limit
_records = msgspec.msgpack.Decoder(list[IngestRecord])
_encoder = msgspec.msgpack.Encoder()


def auto_workers(cpus: int | None = None) -> int:
    """Workers for a host: one per core, up to a few; none on one core, where passing rows
    to a worker would only add work. The server is not left a core of its own: the workers
    run below its priority, so they take what it leaves (two cores: 2 workers map 1.6x
    faster than one, which waits on nothing but itself)."""
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
    """Everything a worker maps with; `generation` tells a worker whether it has it."""

    generation: int
    source: Source
    integrations: tuple[Integration, ...]
    definitions: tuple[tuple[PipelineDefinition, ...], ...]  # per integration, in order


def snapshot_of(
    generation: int,
    source: Source,
    integrations: Sequence[Integration],
    sets: Sequence[PipelineSet],
) -> Snapshot:
    """What workers need of the integrations and their compiled `sets`: not their tokens."""
    return Snapshot(
        generation=generation,
        source=source,
        integrations=tuple(replace(i, conversion_token_enc=b"") for i in integrations),
        definitions=tuple(s.definitions for s in sets),
    )


class _WorkerState:
    """A worker's current snapshot, compiled (integrations running the same definitions
    share one compiled set, as in the server, so their evaluation is shared too)."""

    def __init__(self) -> None:
        self.generation = -1
        self.source: Source | None = None
        self.integrations: tuple[Integration, ...] = ()
        self.pipelines: dict[str, PipelineSet] = {}

    def load(self, snapshot: Snapshot) -> None:
        compiled: dict[tuple[int, ...], PipelineSet] = {}
        pipelines: dict[str, PipelineSet] = {}
        for integration, definitions in zip(
            snapshot.integrations, snapshot.definitions, strict=True
        ):
            key = tuple(id(definition) for definition in definitions)
            if key not in compiled:
                compiled[key] = PipelineSet(definitions)
            pipelines[integration.id] = compiled[key]
        self.generation = snapshot.generation
        self.source = snapshot.source
        self.integrations = snapshot.integrations
        self.pipelines = pipelines


_state = _WorkerState()


def _start_worker(niceness: int) -> None:
    os.nice(niceness)


def _map_chunk(
    generation: int,
    snapshot: bytes,
    accepted: list[AcceptedMessage],
    request: RequestInfo,
    known: KnownIdentities,
) -> bytes:
    """In a worker: the records of one chunk, msgpack-encoded (cheaper than pickle)."""
    if _state.generation != generation:
        # the parent's own pickle over the pool's private pipe (the pool pickles every call)
        _state.load(pickle.loads(snapshot))  # noqa: S301
    pipelines, source = _state.pipelines, _state.source
    assert source is not None  # loaded above: generation 0 is never sent
    records = build_records(
        source,
        accepted,
        request,
        _state.integrations,
        lambda integration: pipelines[integration.id],
        known,
    )
    return _encoder.encode(records)


class MappingPool:
    """A pool of mapping processes for one import (started lazily, closed by the import)."""

    def __init__(self, workers: int, *, niceness: int = WORKER_NICENESS) -> None:
        if workers < 1:
            raise ValueError("a mapping pool needs at least one worker")
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(niceness,),
        )
        self._generation = 0
        self._key: tuple[object, ...] | None = None
        self._snapshot = b""

    @property
    def broken(self) -> bool:
        """True once the pool failed: the import maps in the server process from then on."""
        return self._executor is None

    def pids(self) -> list[int]:
        """The workers' process ids (those started so far)."""
        executor = self._executor
        processes = getattr(executor, "_processes", None) or {}
        return sorted(processes)

    def _snapshot_of(
        self,
        source: Source,
        integrations: Sequence[Integration],
        pipelines: Callable[[Integration], PipelineSet],
    ) -> tuple[int, bytes]:
        sets = [pipelines(integration) for integration in integrations]
        key = (source, tuple(integrations), *(id(s) for s in sets))
        if key != self._key:
            self._generation += 1
            snapshot = snapshot_of(self._generation, source, integrations, sets)
            self._snapshot = pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)
            self._key = key
            self._sets = sets  # held, so the ids in the key stay theirs
        return self._generation, self._snapshot

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
        executor = self._executor
        if executor is not None:
            loop = asyncio.get_running_loop()
            try:
                generation, snapshot = self._snapshot_of(source, integrations, pipelines)
                encoded = await loop.run_in_executor(
                    executor, _map_chunk, generation, snapshot, accepted, request, known
                )
                return _records.decode(encoded)
            except (BrokenProcessPool, OSError, pickle.PicklingError) as exc:
                # a worker died, could not start (process limits), or the snapshot would
                # not pickle: the rows are the same either way, only slower
                self._break(exc)
        return build_records(source, accepted, request, integrations, pipelines, known)

    def _break(self, exc: BaseException) -> None:
        if self._executor is None:
            return
        logger.error(
            "import workers stopped; mapping goes on in the server process",
            action="import.workers_broken",
            error=f"{type(exc).__name__}: {str(exc)[:200]}",
        )
        executor, self._executor = self._executor, None
        executor.shutdown(wait=False, cancel_futures=True)

    async def close(self) -> None:
        """Stop the workers (off the event loop: joining processes blocks)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
