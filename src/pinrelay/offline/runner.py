"""The import loop: rows -> messages -> the live ingest path, in chunks, resumable.

Each chunk of orders goes through `Ingestor.build_records` (identity, pipelines, validation:
exactly what a live `/v1/batch` gets) and one group commit. The next chunk is mapped while
the previous one commits. Mapping is CPU work on the server's event loop, so it runs in
small slices, and before each slice the import waits while live ingests are in flight
(up to a bound): live collect requests go first, the import takes the idle time.

Resume: after a chunk commits, `on_chunk` receives the figures, whose `rows_read` is where a
resumed run starts (the rows before are skipped unread). A crash between a commit and that
call re-imports at most one chunk, which the store's (source_id, message_id) key makes
harmless: those rows count as duplicates the second time.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

import msgspec

from pinrelay.collect.ingest import Ingestor, RequestInfo
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
    records: list[IngestRecord] = field(default_factory=list)  # of `accepted`, in order
    last_row: int = 0


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
    ) -> None:
        self._ingestor = ingestor
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
        committing: asyncio.Task[None] | None = None
        for item in orders(rows, self._mapping):
            self._add(chunk, item)
            if len(chunk.accepted) - len(chunk.records) >= SLICE_EVENTS:
                await self._build_slice(chunk)
            if len(chunk.accepted) + len(chunk.refusals) >= CHUNK_EVENTS:
                await self._build_slice(chunk)
                if committing is not None:
                    await committing
                self.bytes_read = reader.bytes_read
                committing = asyncio.create_task(self._commit(chunk, on_chunk))
                chunk = _Chunk(last_row=chunk.last_row)
        await self._build_slice(chunk)
        if committing is not None:
            await committing
        self.bytes_read = reader.bytes_read
        await self._commit(chunk, on_chunk)
        return self.figures

    async def _build_slice(self, chunk: _Chunk) -> None:
        """Map the chunk's new messages, after letting live requests go first."""
        waited = 0.0
        await asyncio.sleep(0)
        while self._ingestor.live_in_flight and waited < MAX_YIELD_SECONDS:
            await asyncio.sleep(YIELD_STEP_SECONDS)
            waited += YIELD_STEP_SECONDS
        todo = chunk.accepted[len(chunk.records) :]
        if todo:
            chunk.records += await self._ingestor.build_records(self._source, todo, OFFLINE_REQUEST)

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
