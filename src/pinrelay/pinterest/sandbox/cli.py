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


async def run_sandbox(*, host: str, port: int, tokens: Sequence[str]) -> None:
    config = SandboxConfig(tokens=parse_tokens(tokens))
    server = uvicorn.Server(
        uvicorn.Config(
            create_sandbox_app(config),
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
