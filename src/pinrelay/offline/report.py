"""What `pinrelay import` prints: the dry-run preview, the progress bar, the final table."""

from __future__ import annotations

import json
import time
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text


class RowsColumn(ProgressColumn):
    """Rows read so far and rows per second (the bar itself follows the file's bytes)."""

    def render(self, task: Task) -> Text:
        rows = int(task.fields.get("rows", 0))
        started = float(task.fields.get("started", time.monotonic()))
        first_rows = int(task.fields.get("first_rows", 0))
        elapsed = max(time.monotonic() - started, 1e-6)
        rate = (rows - first_rows) / elapsed
        return Text(f"{rows:,} rows  {rate:,.0f} rows/s", style="progress.data.speed")


def import_progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        RowsColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def upload_progress(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        console=console,
        transient=True,
    )


def figures_table(figures: dict[str, Any], *, title: str, dry_run: bool = False) -> Table:
    """read, queued, duplicate, refused by reason, too old; then match-key coverage."""
    table = Table(title=title, show_header=True)
    table.add_column("rows and events")
    table.add_column("count", justify="right")
    table.add_row("rows read", f"{figures.get('rows_read', 0):,}")
    table.add_row("events (orders)", f"{figures.get('events', 0):,}")
    queued = "ok (would be queued)" if dry_run else "queued for Pinterest"
    table.add_row(queued, f"{figures.get('queued', 0):,}")
    if not dry_run:  # a dry run writes nothing, so it cannot tell duplicates
        table.add_row("duplicate (already imported)", f"{figures.get('duplicate', 0):,}")
    table.add_row("too old (> 7 days)", f"{figures.get('too_old', 0):,}")
    for kind, count in (figures.get("refused") or {}).items():
        if kind != "too old":
            table.add_row(f"refused: {kind}", f"{count:,}")
    coverage = figures.get("coverage") or {}
    if coverage:
        shown = ", ".join(f"{key} {share:.0%}" for key, share in coverage.items())
        table.caption = f"match keys of queued events: {shown}"
    return table


def print_preview(console: Console, preview: dict[str, Any]) -> None:
    """The first events as Pinterest will receive them, the refused rows, the summary."""
    events = preview.get("events") or []
    console.print(f"[bold]first {len(events)} events as Pinterest will receive them:[/]")
    for event in events:
        console.print_json(json.dumps(event))
    refused = preview.get("refused_rows") or []
    if refused:
        console.print(f"[bold]first {len(refused)} refused rows:[/]")
        for row in refused:
            console.print(f"  row {row['row']}: {row['kind']}: {row['reason']}")
    figures = dict(preview.get("figures") or {})
    console.print(
        figures_table(figures, title="dry run: nothing was sent or written", dry_run=True)
    )
