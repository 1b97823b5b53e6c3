"""`pinrelay import FILE`: send a file of offline sales, orders or leads through pinrelay.

The command streams the file to the running server's admin API, which imports it: one
process owns a SQLite file (a second writer would queue events the server never learns of,
and the store forbids two writers), and the server is where the pipelines, the identity
rules and the delivery worker already are. So the file goes through exactly the path a live
event takes, and the import keeps going (and resumes after a restart) on the server even if
this command is interrupted. The admin token comes from PINRELAY_ADMIN_TOKEN.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer
from rich.console import Console

from pinrelay.adminclient import AdminAPI
from pinrelay.errors import ConfigError, PinrelayError
from pinrelay.offline.mapping import BUILT_IN
from pinrelay.offline.report import figures_table, import_progress, print_preview, upload_progress
from pinrelay.settings import load_settings

UPLOAD_CHUNK_BYTES = 1024 * 1024
POLL_SECONDS = 0.5  # how often progress is asked for
FINISHED = ("done", "failed")

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)


def _chunks(stream: BinaryIO, advance: Any) -> Iterator[bytes]:
    while chunk := stream.read(UPLOAD_CHUNK_BYTES):
        advance(len(chunk))
        yield chunk


def _upload(api: AdminAPI, file: str) -> dict[str, Any]:
    stdin = file == "-"
    name = "stdin" if stdin else Path(file).name
    try:
        stream: BinaryIO = sys.stdin.buffer if stdin else Path(file).open("rb")  # noqa: SIM115  # closed below
    except OSError as exc:
        raise ConfigError(f"cannot open {file}: {exc.strerror}") from None
    total = None if stdin else Path(file).stat().st_size
    try:
        with upload_progress(errors) as progress:
            task = progress.add_task(f"uploading {name}", total=total)
            record: dict[str, Any] = api.call(
                "POST",
                "/v1/admin/imports/files",
                params={"name": name},
                content=_chunks(stream, lambda n: progress.advance(task, n)),
                headers={"content-type": "application/octet-stream"},
            )
    finally:
        if not stdin:
            stream.close()
    return record


def _mapping_text(mapping: str) -> str:
    if mapping in BUILT_IN:
        return mapping
    path = Path(mapping)
    if not path.is_file():
        raise ConfigError(
            f"--mapping {mapping!r}: not a built-in mapping ({', '.join(BUILT_IN)}) nor a file"
        )
    return path.read_text(encoding="utf-8")


def _columns(pairs: list[str]) -> dict[str, str]:
    columns = {}
    for pair in pairs:
        target, sep, column = pair.partition("=")
        if not sep or not target.strip() or not column.strip():
            raise ConfigError(
                f"--column {pair!r}: expected FIELD=COLUMN, e.g. context.traits.email=Mail"
            )
        columns[target.strip()] = column.strip()
    return columns


def _watch(api: AdminAPI, record: dict[str, Any]) -> dict[str, Any]:
    """Poll the import until it ends, with a progress bar over the file's bytes."""
    first_rows = int(record["figures"].get("rows_read", 0))
    with import_progress(errors) as progress:
        task = progress.add_task(
            f"importing {record['file_name']}",
            total=record["file_bytes"],
            completed=record["bytes_read"],
            rows=first_rows,
            first_rows=first_rows,
            started=time.monotonic(),
        )
        while record["status"] not in FINISHED:
            time.sleep(POLL_SECONDS)
            record = api.call("GET", f"/v1/admin/imports/{record['id']}")
            rows = int(record["figures"].get("rows_read", 0))
            progress.update(task, completed=record["bytes_read"], rows=rows)
    return record


def import_file(
    file: Annotated[
        str, typer.Argument(help="CSV or JSONL file, optionally gzipped; - for stdin.")
    ] = "-",
    source: Annotated[
        str | None, typer.Option("--source", help="Id of the source the rows belong to.")
    ] = None,
    mapping: Annotated[
        str, typer.Option(help="shopify, woocommerce, generic, or a mapping YAML file.")
    ] = "generic",
    event: Annotated[
        str | None, typer.Option(help='Segment event of each row, e.g. "Lead Generated".')
    ] = None,
    event_id_column: Annotated[
        str | None, typer.Option(help="Column whose value is the event_id (else a row hash).")
    ] = None,
    time_column: Annotated[str | None, typer.Option(help="Column of the sale's time.")] = None,
    time_format: Annotated[
        str | None, typer.Option(help='strptime format of the time, e.g. "%d/%m/%Y %H:%M".')
    ] = None,
    timezone: Annotated[
        str | None, typer.Option(help="Zone of times without an offset (default UTC).")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", help="FIELD=COLUMN, e.g. context.traits.email=Mail (repeatable)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Map and validate every row; send nothing.")
    ] = False,
    preview: Annotated[int, typer.Option(help="Events the dry run prints.")] = 5,
    errors_file: Annotated[
        Path | None, typer.Option("--errors", help="Where to save refused rows (CSV).")
    ] = None,
    resume: Annotated[
        str | None, typer.Option(help="Resume or watch this import id instead of uploading.")
    ] = None,
    admin_url: Annotated[
        str | None,
        typer.Option(
            help="Admin API of the running server (default: 127.0.0.1 on PINRELAY_ADMIN_PORT)."
        ),
    ] = None,
) -> None:
    """Import offline conversions (sales, orders, leads) from a CSV or JSONL export."""
    try:
        settings = load_settings()
        api = AdminAPI.from_settings(settings, admin_url)
        if resume is not None:
            record = api.call("GET", f"/v1/admin/imports/{resume}")
            body = {"source_id": record["source_id"], **_spec_body(record["spec"])}
        else:
            if source is None:
                raise ConfigError("--source: say which source the rows belong to (its id)")
            body = {
                "source_id": source,
                "mapping": _mapping_text(mapping),
                "event": event,
                "event_id_column": event_id_column,
                "time_column": time_column,
                "time_format": time_format,
                "timezone": timezone,
                "columns": _columns(column or []),
            }
            record = _upload(api, file)
        if dry_run:
            found = api.call(
                "POST",
                f"/v1/admin/imports/{record['id']}/preview",
                params={"events": max(0, min(preview, 50))},
                json=body,
            )
            print_preview(console, found)
            return
        if record["status"] in ("uploaded", "interrupted"):
            record = api.call("POST", f"/v1/admin/imports/{record['id']}/start", json=body)
        try:
            record = _watch(api, record)
        except KeyboardInterrupt:
            errors.print(
                f"stopped watching; import {record['id']} goes on in the server: "
                f"`pinrelay import --resume {record['id']}` watches it again"
            )
            raise typer.Exit(130) from None
        _finish(api, record, errors_file)
    except PinrelayError as exc:
        errors.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None


def _spec_body(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "mapping": spec.get("mapping_text", "generic"),
        **{
            k: spec.get(k)
            for k in ("event", "event_id_column", "time_column", "time_format", "timezone")
        },
        "columns": spec.get("columns") or {},
    }


def _finish(api: AdminAPI, record: dict[str, Any], errors_file: Path | None) -> None:
    figures = record["figures"]
    console.print(figures_table(figures, title=f"import {record['id']}: {record['status']}"))
    if figures.get("refused_total") and record.get("has_errors_file"):
        target = errors_file or Path(f"{record['id']}-errors.csv")
        target.write_bytes(api.call("GET", f"/v1/admin/imports/{record['id']}/errors"))
        console.print(f"refused rows and why: {target}")
    if record["status"] == "failed":
        errors.print(f"[bold red]import failed:[/] {record['message']}")
        raise typer.Exit(1)
