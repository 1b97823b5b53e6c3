"""The import loop: rows -> messages -> the live ingest path, in chunks, resumable.

Each chunk of orders goes through `collect.ingest.build_records` (identity, pipelines,
validation: exactly what a live `/v1/batch` gets) and one group commit. Where the mapping
runs:

- in process (no pool): on the server's event loop, in small slices, and before each slice
  the import waits while live ingests are in flight (up to a bound): live collect requests
  go first, the import takes the idle time. The next chunk is mapped while the previous one
  commits.
- in worker processes (`collect.mappingpool.MappingPool`): the server reads and checks rows and
  commits, a few chunks ahead are mapped at once on the other cores, at a lower priority
  than the server. Chunks still commit one at a time, in file order.

Resume: after a chunk commits, `on_chunk` receives the figures, whose `rows_read` is where a
resumed run starts (the rows before are skipped unread). A crash between a commit and that
call re-imports at most one chunk, which the store's (source_id, message_id) key makes
harmless: those rows count as duplicates the second time.
"""

from __future__ import annotations

import asyncio
import csv
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

import msgspec

from pinrelay.collect.ingest import Ingestor, RequestInfo
from pinrelay.collect.mappingpool import MappingPool
from pinrelay.collect.messages import AcceptedMessage, MessageRejected, check_message
from pinrelay.mapping.trace import Outcome
from pinrelay.offline.figures import ImportFigures
from pinrelay.offline.mapping import ImportMapping
from pinrelay.offline.reader import Row, RowReader
from pinrelay.offline.rows import Order, RowMapper, RowRefused, orders
from pinrelay.store.records import IngestRecord, Source

CHUNK_EVENTS = 100  # events per commit (one group commit, one progress save)
SLICE_EVENTS = 10  # events mapped between two yields to live requests (a few ms of CPU)
YIELD_STEP_SECONDS = 0.002
MAX_YIELD_SECONDS = 0.05  # under constant live load the import still moves
COMMIT_DRAIN_SECONDS = 5.0  # how long a stop waits for the chunk being committed (~ms)
OFFLINE_REQUEST = RequestInfo(client_ip=None, remember_identities=False)
ERROR_FILE_HEADER = ("row", "kind", "reason")
REFUSED_SAMPLE_ROWS = 20  # refused rows a dry run shows

OnChunk = Callable[[ImportFigures, int], Awaitable[None]]  # (figures, bytes read)
_decoder = msgspec.json.Decoder()


@dataclass
class _Chunk:
    accepted: list[AcceptedMessage] = field(default_factory=list)
    first_rows: list[int] = field(default_factory=list)
    refusals: list[tuple[int, str, str]] = field(default_factory=list)
    mapped: list[IngestRecord] = field(default_factory=list)  # in process, slice by slice
    records: list[IngestRecord] = field(default_factory=list)  # of `accepted`, in order
    last_row: int = 0
    bytes_read: int = 0  # of the file, when the chunk's last row was read


def refusal_of(record: IngestRecord) -> tuple[str, str]:
    """(kind, reason) of a record that queued nothing, from its trace."""
    steps = _decoder.decode(record.trace)
    for step in steps:
        outcome = step.get("outcome")
        if outcome != Outcome.QUEUED:
            kind = str(outcome or "refused").replace("_", " ")
            reason = str(step.get("reason") or kind)
            if outcome == Outcome.UNMATCHABLE:  # the usual cause, said plainly
                reason = (
                    f"no email (an offline row has no IP or user agent to fall back on): {reason}"
                )
            return kind, reason
    return "no integration", "the source has no enabled integration to send to"


class ImportRun:
    """One pass over a file; `figures` hold the totals, `preview` the first Pinterest events."""

    def __init__(
        self,
        ingestor: Ingestor,
        source: Source,
        mapping: ImportMapping,
        *,
        dry_run: bool = False,
        preview_events: int = 0,
        errors: IO[str] | None = None,
        now: float | None = None,
        pool: MappingPool | None = None,
    ) -> None:
        """`pool`: worker processes to map rows in (`collect.mappingpool`); None: in process."""
        self._ingestor = ingestor
        self._pool = pool
        self._source = source
        self._mapping = mapping
        self._received = datetime.fromtimestamp(now, UTC) if now else datetime.now(UTC)
        self._mapper = RowMapper(mapping, now=self._received.timestamp())
        self._dry_run = dry_run
        self._preview_events = preview_events
        self._errors = csv.writer(errors) if errors is not None else None
        self.figures = ImportFigures()
        self.preview: list[dict[str, Any]] = []
        self.refused_sample: list[tuple[int, str, str]] = []
        self.bytes_read = 0

    async def run(
        self, stream: IO[bytes], *, resume_from: ImportFigures | None = None, on_chunk: OnChunk
    ) -> ImportFigures:
        """Import every row after `resume_from.rows_read`; call `on_chunk` after each commit."""
        if resume_from is not None:
            self.figures = resume_from
        elif self._errors is not None:
            self._errors.writerow(ERROR_FILE_HEADER)
        skip = self.figures.rows_read
        reader = RowReader(stream)
        try:
            return await self._run(reader, skip, on_chunk)
        finally:
            reader.close()

    async def _run(self, reader: RowReader, skip: int, on_chunk: OnChunk) -> ImportFigures:
        rows = (row for row in reader.rows() if row.number > skip)
        chunk = _Chunk(last_row=skip)
        building: deque[tuple[_Chunk, asyncio.Task[list[IngestRecord]]]] = deque()
        committing: asyncio.Task[None] | None = None
        # chunks mapped ahead of the commits: in process, none (the next chunk is read and
        # mapped while the previous one commits); with workers, enough to keep them busy
        ahead = 0 if self._pool is None else 2 * self._pool.workers
        try:
            for item in orders(rows, self._mapping):
                self._add(chunk, item)
                if self._pool is None and len(chunk.accepted) - len(chunk.mapped) >= SLICE_EVENTS:
                    await self._map_slice(chunk)
                if len(chunk.accepted) + len(chunk.refusals) >= CHUNK_EVENTS:
                    chunk.bytes_read = reader.bytes_read
                    building.append((chunk, asyncio.create_task(self._map(chunk))))
                    chunk = _Chunk(last_row=chunk.last_row)
                    while len(building) > ahead:
                        committing = await self._commit_next(building, committing, on_chunk)
            chunk.bytes_read = reader.bytes_read
            building.append((chunk, asyncio.create_task(self._map(chunk))))
            while building:
                committing = await self._commit_next(building, committing, on_chunk)
            if committing is not None:
                await asyncio.shield(committing)
        finally:
            unfinished: list[asyncio.Task[Any]] = [task for _, task in building]
            for task in unfinished:
                task.cancel()
            if committing is not None and not committing.done():
                # a stop lets the commit in flight end and save its progress, so a resume
                # starts after it instead of reading its rows again (as duplicates)
                await asyncio.wait({committing}, timeout=COMMIT_DRAIN_SECONDS)
                committing.cancel()
                unfinished.append(committing)
            await asyncio.gather(*unfinished, return_exceptions=True)
        return self.figures

    async def _commit_next(
        self,
        building: deque[tuple[_Chunk, asyncio.Task[list[IngestRecord]]]],
        committing: asyncio.Task[None] | None,
        on_chunk: OnChunk,
    ) -> asyncio.Task[None]:
        """Commit the oldest chunk once mapped, after the one before it: chunks commit in
        file order, so `rows_read` (where a resume starts) only ever moves forward."""
        chunk, mapping = building[0]
        chunk.records = await mapping
        building.popleft()
        if committing is not None:
            await asyncio.shield(committing)  # a stop here leaves it to end (see _run)
        self.bytes_read = chunk.bytes_read
        return asyncio.create_task(self._commit(chunk, on_chunk))

    async def _yield_to_live(self) -> None:
        waited = 0.0
        await asyncio.sleep(0)
        while self._ingestor.live_in_flight and waited < MAX_YIELD_SECONDS:
            await asyncio.sleep(YIELD_STEP_SECONDS)
            waited += YIELD_STEP_SECONDS

    async def _map(self, chunk: _Chunk) -> list[IngestRecord]:
        """The records of the chunk: in the worker processes, or here in slices."""
        if self._pool is None:
            await self._map_slice(chunk)
            return chunk.mapped
        if not chunk.accepted:
            return []
        await self._yield_to_live()  # the server's share of the chunk waits for live requests
        integrations, known = await self._ingestor.lookups(
            self._source, chunk.accepted, OFFLINE_REQUEST
        )
        return await self._pool.build_records(
            self._source,
            chunk.accepted,
            OFFLINE_REQUEST,
            integrations,
            self._ingestor.pipelines,
            known,
        )

    async def _map_slice(self, chunk: _Chunk) -> None:
        """Map the chunk's new messages in process, after letting live requests go first."""
        await self._yield_to_live()
        todo = chunk.accepted[len(chunk.mapped) :]
        if todo:
            chunk.mapped += await self._ingestor.build_records(self._source, todo, OFFLINE_REQUEST)

    def _add(self, chunk: _Chunk, item: Order | Row) -> None:
        if isinstance(item, Row):
            chunk.refusals.append((item.number, "unreadable row", item.problem or "unreadable"))
            chunk.last_row = max(chunk.last_row, item.number)
            return
        chunk.last_row = max(chunk.last_row, item.last)
        try:
            message = self._mapper.message(item)
            accepted = check_message(
                message, default_type=None, received_at=self._received, batch_sent_at=None
            )
        except RowRefused as exc:
            chunk.refusals.append((item.first, exc.kind, exc.detail))
            return
        except MessageRejected as exc:
            chunk.refusals.append((item.first, "invalid row", exc.message))
            return
        chunk.accepted.append(accepted)
        chunk.first_rows.append(item.first)

    async def _commit(self, chunk: _Chunk, on_chunk: OnChunk) -> None:
        records = chunk.records
        if self._dry_run or not records:
            stored = [True] * len(records)
        else:
            stored = await self._ingestor.commit(records)
        figures = self.figures
        refusals = list(chunk.refusals)
        for record, new, row in zip(records, stored, chunk.first_rows, strict=True):
            figures.events += 1
            if not new:
                figures.duplicate += 1
            elif record.outbox:
                figures.queued += 1
                figures.match_keys.update(set(record.outbox[0].match_keys))
                if len(self.preview) < self._preview_events:
                    self.preview.append(_decoder.decode(record.outbox[0].payload))
            else:
                kind, reason = refusal_of(record)
                refusals.append((row, kind, reason))
        refusals.sort()
        for _, kind, _ in refusals:
            figures.refused[kind] += 1
        if self._errors is not None:
            self._errors.writerows(refusals)
        room = REFUSED_SAMPLE_ROWS - len(self.refused_sample)
        self.refused_sample.extend(refusals[: max(room, 0)])
        figures.rows_read = chunk.last_row
        await on_chunk(figures, self.bytes_read)
