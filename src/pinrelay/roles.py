"""What a pinrelay process does: collect, deliver, admin (`pinrelay serve --role`).

One process does all three by default, as on SQLite. On PostgreSQL, processes with different
roles on different hosts share the database: collect processes scale with traffic, delivery
workers with the number of ad accounts, and the admin API runs where operators reach it.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from pinrelay.errors import ConfigError

ROLES = ("collect", "deliver", "admin")
ALL_ROLES = frozenset(ROLES)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def parse_roles(values: Iterable[str] | None) -> frozenset[str]:
    """`--role collect --role admin` or `--role collect,admin`; none given: all three."""
    chosen: set[str] = set()
    for value in values or ():
        for part in value.split(","):
            role = part.strip().lower()
            if not role:
                continue
            if role not in ROLES:
                raise ConfigError(f"unknown role {role!r}: use collect, deliver or admin")
            chosen.add(role)
    return frozenset(chosen) if chosen else ALL_ROLES


def ordered(roles: Iterable[str]) -> list[str]:
    return [role for role in ROLES if role in set(roles)]


class HealthWithRoles:
    """Answers /healthz and /readyz itself, naming the process's roles; passes the rest on.

    `ready` says whether the store answers; `app` is None for a process with no HTTP role
    (a delivery worker), which still gets health endpoints on the admin port."""

    def __init__(
        self,
        app: ASGIApp | None,
        roles: Iterable[str],
        ready: Callable[[], Awaitable[bool]],
        engine: str,
    ) -> None:
        self._app = app
        self._roles = ordered(roles)
        self._ready = ready
        self._engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path") if scope["type"] == "http" else None
        if path == "/healthz":
            await _json(send, 200, {"status": "ok", "roles": self._roles})
            return
        if path == "/readyz":
            if await self._ready():
                body = {"status": "ready", "store": self._engine, "roles": self._roles}
                await _json(send, 200, body)
            else:
                await _json(send, 503, {"status": "unavailable", "roles": self._roles})
            return
        if self._app is None:
            await _json(send, 404, {"error": {"status": 404, "message": "not found"}})
            return
        await self._app(scope, receive, send)


async def _json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(payload))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A listening socket several collect processes share (the kernel spreads connections)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock
