"""Imports inside the running server: upload files, preview them, run them, resume them.

The server runs imports (not the CLI) because one process owns a SQLite file: the CLI
streams the file to the admin API and watches. The uploaded file is raw PII, so it is kept
only as long as needed: mode 0600 in a 0700 directory beside the database, deleted when its
import finishes or fails, or a day after an upload that was never started. An import that a
stop interrupts keeps its file and resumes at the next start. One import runs at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import os
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import structlog

from pinrelay.collect.ingest import Ingestor
from pinrelay.collect.mappingpool import MappingPool, auto_workers
from pinrelay.errors import BadRequest, Conflict, ImportFileError, PayloadTooLarge
from pinrelay.offline.figures import ImportFigures
from pinrelay.offline.runner import ImportRun
from pinrelay.offline.spec import ImportSpec
from pinrelay.store.base import Store
from pinrelay.store.importrecords import StoredImport
from pinrelay.store.records import Source

logger = structlog.get_logger(__name__)

UNSTARTED_UPLOAD_SECONDS = 24 * 3600  # an upload nobody started is deleted after this
FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
POOL_MIN_BYTES = 4 * 1024 * 1024  # smaller files import in the server process (~40K rows)


class ImportJobs:
    """The server's imports: their files on disk, their rows in the store, the running task."""

    def __init__(
        self,
        store: Store,
        ingestor: Ingestor,
        directory: Path,
        *,
        max_bytes: int,
        workers: int | None = 0,
        pool_min_bytes: int = POOL_MIN_BYTES,
    ) -> None:
        """`workers`: mapping processes for files of `pool_min_bytes` or more
        (`collect.mappingpool`); None: by the host's cores."""
        self._store = store
        self._ingestor = ingestor
        self.directory = directory
        self.max_bytes = max_bytes
        self.workers = auto_workers() if workers is None else workers
        self.pool_min_bytes = pool_min_bytes
        self._running: dict[str, asyncio.Task[None]] = {}

    def upload_path(self, import_id: str) -> Path:
        return self.directory / f"{import_id}.upload"

    def errors_path(self, import_id: str) -> Path:
        return self.directory / f"{import_id}.errors.csv"

    def _pool_for(self, record: StoredImport) -> MappingPool | None:
        """Worker processes for a file big enough to pay for starting them (~1 s each)."""
        if self.workers < 1 or record.file_bytes < self.pool_min_bytes:
            return None
        return MappingPool(self.workers)

    def _prepare_directory(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, DIRECTORY_MODE)

    async def receive(
        self, chunks: AsyncIterator[bytes], *, file_name: str, actor: str
    ) -> StoredImport:
        """Stream an upload to disk (never whole in memory); 413 past `max_bytes`."""
        self._prepare_directory()
        import_id = "imp_" + secrets.token_hex(8)
        path = self.upload_path(import_id)
        size = 0
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, "wb") as file:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise PayloadTooLarge(
                            f"the file is over {self.max_bytes} bytes (PINRELAY_IMPORT_MAX_BYTES): "
                            "split it, or raise the limit"
                        )
                    file.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        if size == 0:
            path.unlink(missing_ok=True)
            raise BadRequest("the file is empty: send the export's bytes as the request body")
        now = time.time()
        record = StoredImport(
            id=import_id,
            file_name=file_name[:200],
            file_bytes=size,
            status="uploaded",
            actor=actor,
            created_at=now,
            updated_at=now,
        )
        await self._store.save_import(record)
        return record

    async def preview(
        self, record: StoredImport, source: Source, spec: ImportSpec, *, events: int
    ) -> ImportRun:
        """A dry run over every row: mapped and validated, nothing written."""
        self._has_file(record)
        pool = self._pool_for(record)
        run = ImportRun(
            self._ingestor,
            source,
            spec.mapping(),
            dry_run=True,
            preview_events=events,
            pool=pool,
        )

        async def nothing(figures: ImportFigures, bytes_read: int) -> None:
            return None

        try:
            with self.upload_path(record.id).open("rb") as stream:
                await run.run(stream, on_chunk=nothing)
        except ImportFileError as exc:
            raise BadRequest(str(exc)) from None
        finally:
            if pool is not None:
                await pool.close()
        return run

    async def start(self, record: StoredImport, source: Source, spec: ImportSpec) -> StoredImport:
        self._has_file(record)
        busy = [i for i, task in self._running.items() if not task.done()]
        if busy:
            raise Conflict(f"import {busy[0]} is running: one import runs at a time")
        if record.status not in ("uploaded", "interrupted"):
            raise Conflict(f"import {record.id} is {record.status}: upload the file again")
        spec.mapping()  # a bad mapping is a 400 now, not a failed import later
        started = replace(
            record,
            status="running",
            source_id=source.id,
            spec=spec.as_dict(),
            updated_at=time.time(),
            message=None,
        )
        await self._store.save_import(started)
        self._launch(started, source, spec)
        return started

    def _has_file(self, record: StoredImport) -> None:
        if not self.upload_path(record.id).exists():
            raise Conflict(
                f"import {record.id} is {record.status} and its file was deleted: "
                "upload the file again to import it again"
            )

    def _launch(self, record: StoredImport, source: Source, spec: ImportSpec) -> None:
        task = asyncio.create_task(self._run(record, source, spec), name=f"import-{record.id}")
        self._running[record.id] = task

    async def _run(self, record: StoredImport, source: Source, spec: ImportSpec) -> None:
        resume = ImportFigures.from_dict(record.figures) if record.figures else None
        errors_path = self.errors_path(record.id)
        if resume is not None:
            trim_error_file(errors_path, resume.rows_read)
        current = record
        pool = self._pool_for(record)
        logger.info(
            "import started",
            action="import.started",
            import_id=record.id,
            resumed_at_row=resume.rows_read if resume else 0,
            workers=pool.workers if pool is not None else 0,
        )
        try:
            with (
                self.upload_path(record.id).open("rb") as stream,
                errors_path.open("a" if resume else "w", newline="", encoding="utf-8") as errors,
            ):
                os.chmod(errors_path, FILE_MODE)
                run = ImportRun(self._ingestor, source, spec.mapping(), errors=errors, pool=pool)

                async def saved(figures: ImportFigures, bytes_read: int) -> None:
                    nonlocal current
                    errors.flush()
                    current = replace(
                        current,
                        figures=figures.as_dict(),
                        bytes_read=bytes_read,
                        updated_at=time.time(),
                    )
                    await self._store.save_import(current)

                figures = await run.run(stream, resume_from=resume, on_chunk=saved)
            await self._finish(current, "done", figures, None)
        except asyncio.CancelledError:
            await self._store.save_import(replace(current, status="interrupted"))
            raise
        except ImportFileError as exc:
            await self._finish(current, "failed", None, str(exc))
        except Exception as exc:  # the import fails, the server keeps running
            logger.exception("import failed", action="import.failed", import_id=record.id)
            await self._finish(current, "failed", None, f"internal error ({type(exc).__name__})")
        finally:
            if pool is not None:
                await pool.close()

    async def _finish(
        self, record: StoredImport, status: Any, figures: ImportFigures | None, message: str | None
    ) -> None:
        self.upload_path(record.id).unlink(missing_ok=True)  # raw PII: gone once used
        now = time.time()
        final = replace(
            record,
            status=status,
            figures=figures.as_dict() if figures else record.figures,
            bytes_read=record.file_bytes if status == "done" else record.bytes_read,
            message=message,
            updated_at=now,
            finished_at=now,
        )
        await self._store.save_import(final)
        logger.info("import finished", action="import.finished", import_id=record.id, status=status)

    async def resume_interrupted(self) -> list[str]:
        """At start: resume imports a stop or crash cut short; drop stale uploads."""
        resumed: list[str] = []
        for record in await self._store.list_imports(limit=1000):
            if record.status == "uploaded" and time.time() - record.created_at > (
                UNSTARTED_UPLOAD_SECONDS
            ):
                await self._finish(record, "failed", None, "never started: the file was deleted")
            if record.status not in ("running", "interrupted") or record.source_id is None:
                continue
            source = self._store.get_source(record.source_id)
            if source is None or not self.upload_path(record.id).exists():
                await self._finish(record, "failed", None, "cannot resume: source or file gone")
                continue
            if not resumed:  # one at a time; the others wait for a start
                resumed.append(record.id)
                spec = ImportSpec.from_dict(record.spec)
                self._launch(replace(record, status="running"), source, spec)
        return resumed

    async def wait(self, import_id: str) -> None:
        """Until the import's task ends (tests and the CLI's in-process callers)."""
        task = self._running.get(import_id)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def stop(self) -> None:
        """Interrupt running imports (they resume at the next start)."""
        tasks = [t for t in self._running.values() if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def trim_error_file(path: Path, rows_read: int) -> None:
    """Keep the error lines of rows a resumed import will not read again."""
    if not path.exists():
        return
    with path.open(newline="", encoding="utf-8") as file:
        kept = [
            line
            for line in csv.reader(file)
            if line and (not line[0].isdigit() or int(line[0]) <= rows_read)
        ]
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(kept)
