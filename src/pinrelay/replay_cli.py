"""`pinrelay replay`: list dead events with their reason, and queue them again.

It talks to the admin API of the running server rather than opening the database: one process
owns a SQLite file (its in-memory queues are authoritative), so a second process writing the
file would queue events the server never learns of, and two writers on one file is exactly
what the store forbids. The server must therefore be running; the admin token comes from
PINRELAY_ADMIN_TOKEN.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console

from pinrelay.adminclient import AdminAPI
from pinrelay.errors import ConfigError, PinrelayError
from pinrelay.settings import load_settings

console = Console(soft_wrap=True)
errors = Console(stderr=True, soft_wrap=True)  # whole lines: messages are grepped


def parse_moment(value: str | None, flag: str) -> float | None:
    """Unix seconds, or an ISO 8601 date/time (UTC when no offset is given)."""
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{flag} must be unix seconds or an ISO 8601 time such as 2026-11-20T08:00:00Z"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _show(entries: list[dict[str, Any]]) -> None:
    """One tab-separated line per dead event (whole ids, easy to grep or cut)."""
    typer.echo("seq\tintegration\tevent_id\tevent\tattempts\treason")
    for entry in entries:
        fields = (
            entry["seq"],
            entry["integration_id"],
            entry["event_id"],
            entry["event_name"],
            entry["attempts"],
            (entry["reason"] or "").replace("\n", " "),
        )
        typer.echo("\t".join(str(field) for field in fields))


def replay(
    seq: Annotated[
        list[int] | None, typer.Option("--seq", help="Replay this dead entry (repeatable).")
    ] = None,
    integration: Annotated[
        str | None, typer.Option("--integration", help="Only dead events of this integration.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only events received at or after (ISO 8601 or unix).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Only events received before (ISO 8601 or unix).")
    ] = None,
    replay_all: Annotated[
        bool, typer.Option("--all", help="Replay every dead event (no other filter needed).")
    ] = False,
    list_only: Annotated[
        bool, typer.Option("--list", help="Only list the dead events and their reasons.")
    ] = False,
    limit: Annotated[int, typer.Option(help="Most events to list or replay.")] = 1000,
    admin_url: Annotated[
        str | None,
        typer.Option(
            help="Admin API of the running server (default: 127.0.0.1 on PINRELAY_ADMIN_PORT)."
        ),
    ] = None,
) -> None:
    """List dead events with their reason, or queue them again (same event_id)."""
    try:
        settings = load_settings()
        api = AdminAPI.from_settings(settings, admin_url)
        window = {"since": parse_moment(since, "--since"), "until": parse_moment(until, "--until")}
        if list_only:
            params = {"integration_id": integration, **window, "limit": min(limit, 1000)}
            found = api.call(
                "GET",
                "/v1/admin/dead-letters",
                params={k: v for k, v in params.items() if v is not None},
            )
            _show(found["entries"])
            return
        body = {
            "integration_id": integration,
            "seqs": seq or None,
            **window,
            "all": replay_all,
            "limit": limit,
        }
        result = api.call("POST", "/v1/admin/dead-letters/replay", json=body)
    except PinrelayError as exc:
        errors.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None
    console.print(f"replayed {result['replayed']} dead events (same event_id)")
    for skipped in result["skipped"]:
        console.print(f"  left dead: seq {skipped['seq']}: {skipped['reason']}")
