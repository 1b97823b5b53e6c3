"""`pinrelay sandbox`: the sandbox as a standalone server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import structlog
import uvicorn

from pinrelay.errors import ConfigError
from pinrelay.pinterest.sandbox.app import create_sandbox_app
from pinrelay.pinterest.sandbox.config import ANY_AD_ACCOUNT, DEMO_TOKEN, SandboxConfig
from pinrelay.pinterest.sandbox.faults import Fault, fault_problem

logger = structlog.get_logger(__name__)


def parse_tokens(entries: Sequence[str]) -> dict[str, set[str]]:
    """`TOKEN` (any ad account) or `TOKEN=ID1,ID2` (only those), one entry per flag."""
    if not entries:
        return {DEMO_TOKEN: {ANY_AD_ACCOUNT}}
    tokens: dict[str, set[str]] = {}
    for entry in entries:
        token, _, accounts = entry.partition("=")
        if not token.strip():
            raise ConfigError("--token needs TOKEN or TOKEN=AD_ACCOUNT_ID,...; got an empty token")
        ids = {a.strip() for a in accounts.split(",") if a.strip()} or {ANY_AD_ACCOUNT}
        tokens.setdefault(token.strip(), set()).update(ids)
    return tokens


def fault_from_flags(
    *,
    status: int | None,
    count: int,
    share: float | None,
    delay_seconds: float,
    fail_event_ids: Sequence[str],
    drop: bool,
) -> Fault | None:
    """The fault the `--fault-*` flags describe (same fields as POST /_sandbox/faults)."""
    if status is None and not fail_event_ids and not drop and not delay_seconds:
        if share is not None or count != 1:
            raise ConfigError(
                "--fault-share and --fault-count need a fault: --fault-status, "
                "--fault-fail-event-id, --fault-drop or --fault-delay"
            )
        return None
    fault = Fault(
        status=status,
        count=count,
        share=share,
        delay_seconds=delay_seconds,
        fail_event_ids=list(fail_event_ids) if fail_event_ids else None,
        drop=drop,
    )
    problem = fault_problem(fault)
    if problem is not None:
        raise ConfigError(f"invalid --fault-* flags: {problem}")
    return fault


async def run_sandbox(
    *, host: str, port: int, tokens: Sequence[str], fault: Fault | None = None
) -> None:
    config = SandboxConfig(tokens=parse_tokens(tokens))
    app = create_sandbox_app(config)
    if fault is not None:
        app.state.sandbox.faults.add(fault)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            access_log=False,
            log_level="warning",
            lifespan="off",
        )
    )
    logger.info(
        "sandbox listening",
        action="sandbox.started",
        url=f"http://{host}:{port}/v5",
        tokens=len(config.tokens),
    )
    with contextlib.suppress(asyncio.CancelledError):
        await server.serve()
    logger.info("sandbox stopped", action="sandbox.stopped")
