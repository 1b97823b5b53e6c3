"""The `pinrelay` command: serve, demo, sandbox, migrate, move-data, and the sub-apps.

A flag that sets a setting falls back to its `PINRELAY_*` environment variable, then to the
default in settings.py; --help shows both (`pinrelay.flags`). The other flags belong to one
command (the demo's and the sandbox's ports, filters of `replay`, ...) and have no variable.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from pinrelay import __version__, eventloop
from pinrelay.errors import PinrelayError
from pinrelay.flags import DbOption, PipelinesDirOption, default_of, setting_option
from pinrelay.import_cli import import_file as import_command
from pinrelay.logs import configure_logging
from pinrelay.pipeline_cli import pipeline_app
from pinrelay.replay_cli import replay as replay_command
from pinrelay.settings import load_settings

app = typer.Typer(
    help="pinrelay: server-side conversion tracking for Pinterest ads.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)

PortOption = Annotated[int | None, setting_option("port", "--port")]
AdminPortOption = Annotated[int | None, setting_option("admin_port", "--admin-port")]
SANDBOX_PORT = 8090  # the demo's and `pinrelay sandbox`'s; docs/reference/sandbox.md
DEMO_SHOP_PORT = 8088


def _fail(exc: PinrelayError) -> None:
    console.print(f"[bold red]error:[/] {exc}")
    raise typer.Exit(2)


@app.command()
def serve(
    port: PortOption = None,
    admin_port: AdminPortOption = None,
    db: DbOption = None,
    host: Annotated[str | None, setting_option("host", "--host")] = None,
    admin_host: Annotated[str | None, setting_option("admin_host", "--admin-host")] = None,
    pipelines: PipelinesDirOption = None,
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role",
            help="What this process does: collect, deliver, admin; repeat the flag or give a "
            "comma list.",
            show_default="all three",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Collect processes on this host, sharing the collect port (PostgreSQL "
            "only). On SQLite, big batches and imports use the other cores through mapping "
            "workers instead (PINRELAY_BATCH_WORKERS, PINRELAY_IMPORT_WORKERS).",
        ),
    ] = 1,
) -> None:
    """Run the collect server, the admin API and the delivery worker (or some of them)."""
    from pinrelay.app import Gateway
    from pinrelay.processes import run_collect_workers
    from pinrelay.roles import parse_roles

    try:
        settings = load_settings(
            port=port,
            admin_port=admin_port,
            database_url=db,
            host=host,
            admin_host=admin_host,
            pipelines_dir=pipelines,
        )
        roles = parse_roles(role)
        configure_logging(settings.log_level)
        if workers > 1:
            run_collect_workers(settings, roles, workers)
        else:
            eventloop.run(Gateway(settings, roles=roles, reuse_port=_reuse_port()).run())
    except PinrelayError as exc:
        _fail(exc)


def _reuse_port() -> bool:
    """Set by `serve --workers N` for its collect children (they share one port)."""
    import os

    return os.environ.get("PINRELAY_INTERNAL_REUSE_PORT") == "1"


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Collect port.")] = default_of("port"),
    admin_port: Annotated[int, typer.Option(help="Admin API port.")] = default_of("admin_port"),
    sandbox_port: Annotated[int, typer.Option(help="Pinterest sandbox port.")] = SANDBOX_PORT,
    shop_port: Annotated[
        int, typer.Option(help="Demo shop page port (pinrelay.js).")
    ] = DEMO_SHOP_PORT,
    workdir: Annotated[
        Path, typer.Option(help="Folder for the demo database and key (wiped at start).")
    ] = Path(".pinrelay-demo"),
    exit_after_samples: Annotated[
        bool, typer.Option(help="Stop once the sample events are delivered (for scripted checks).")
    ] = False,
) -> None:
    """Start the sandbox and pinrelay on SQLite with a demo source, then send sample events."""
    from pinrelay.demo import prepare_workdir, run_demo

    configure_logging("warning")
    try:
        prepare_workdir(workdir)
        ok = asyncio.run(
            run_demo(
                port=port,
                admin_port=admin_port,
                sandbox_port=sandbox_port,
                shop_port=shop_port,
                workdir=workdir,
                exit_after_samples=exit_after_samples,
            )
        )
    except PinrelayError as exc:
        _fail(exc)
    if not ok:
        raise typer.Exit(1)


@app.command()
def sandbox(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = SANDBOX_PORT,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    token: Annotated[
        list[str] | None,
        typer.Option(
            help="TOKEN or TOKEN=ACCOUNT1,ACCOUNT2: a conversion token the sandbox accepts "
            "(repeatable).",
            show_default="pina_sandbox_token for any ad account",
        ),
    ] = None,
    fault_status: Annotated[
        int | None,
        typer.Option(
            help="Answer this status (401, 403, 404, 429, 500, 502, 503, 504).",
            show_default="no fault",
        ),
    ] = None,
    fault_count: Annotated[
        int, typer.Option(help="How many next requests get the fault (without --fault-share).")
    ] = 1,
    fault_share: Annotated[
        float | None,
        typer.Option(
            help="Standing fault for this share of requests (0-1], until cleared.",
            show_default="none: the next --fault-count requests",
        ),
    ] = None,
    fault_delay: Annotated[
        float, typer.Option(help="Hold each faulted answer back this many seconds.")
    ] = 0.0,
    fault_fail_event_id: Annotated[
        list[str] | None,
        typer.Option(
            help="Answer this event_id 'failed' (repeatable; 422, or 200 by status).",
            show_default="none",
        ),
    ] = None,
    fault_drop: Annotated[
        bool, typer.Option(help="Judge and record the events, then cut the connection.")
    ] = False,
) -> None:
    """Run the strict local stand-in for the Pinterest v5 conversions endpoint."""
    from pinrelay.pinterest.sandbox.cli import fault_from_flags, run_sandbox

    configure_logging("info")
    try:
        fault = fault_from_flags(
            status=fault_status,
            count=fault_count,
            share=fault_share,
            delay_seconds=fault_delay,
            fail_event_ids=fault_fail_event_id or [],
            drop=fault_drop,
        )
        asyncio.run(run_sandbox(host=host, port=port, tokens=token or [], fault=fault))
    except PinrelayError as exc:
        _fail(exc)


@app.command()
def migrate(db: DbOption = None) -> None:
    """Apply the schema migrations to the database and exit."""
    from pinrelay.store.engines import migrate_database, redact_url

    try:
        settings = load_settings(database_url=db)
        applied = asyncio.run(migrate_database(settings.database_url))
    except PinrelayError as exc:
        _fail(exc)
    done = ", ".join(f"{v:04d}" for v in applied) if applied else "none (already up to date)"
    console.print(f"migrations applied to {redact_url(settings.database_url)}: {done}")


@app.command("move-data")
def move_data(
    source: Annotated[
        str, typer.Option("--from", help="The SQLite database to copy, e.g. sqlite:///pinrelay.db.")
    ],
    target: Annotated[
        str,
        typer.Option("--to", help="The PostgreSQL database to fill, e.g. postgresql://u:p@h/db."),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the data a non-empty target already holds.")
    ] = False,
) -> None:
    """Copy sources, integrations, tokens, pipelines, identities and the pending and dead
    outbox from SQLite to PostgreSQL (stop the SQLite server first)."""
    from pinrelay.store.engines import redact_url
    from pinrelay.store.movedata import move_data as run_move

    try:
        copied = asyncio.run(run_move(source, target, force=force, console=console))
    except PinrelayError as exc:
        _fail(exc)
    summary = ", ".join(f"{count} {table}" for table, count in copied.items())
    console.print(f"moved to {redact_url(target)}: {summary}")


@app.command()
def version() -> None:
    """Print the pinrelay version."""
    typer.echo(__version__)


app.add_typer(pipeline_app, name="pipeline")  # issue 5: check, run, list
app.command(name="replay")(replay_command)
app.command(name="import")(import_command)  # issue 15: offline conversions


def main() -> None:
    app()
