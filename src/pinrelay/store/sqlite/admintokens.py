"""The SQLite store's admin tokens (hashes only) and the audit log.

A mixin of `SQLiteStore`: tokens are kept in memory as well (one process owns the file), so
every admin request authenticates without a read; a revocation takes effect in memory first.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from pinrelay.store.records import AdminToken, AuditEntry
from pinrelay.store.rows import NO_ROW, admin_token_params
from pinrelay.store.sql import load_queries
from pinrelay.store.sqlite.writer import GroupCommitWriter

Q = load_queries("pinrelay.store.sqlite", "queries.sql")


class AdminTokenTables:
    """Admin tokens and audit entries; expects `_writer`, `_read` and `_admin_tokens`."""

    _writer: GroupCommitWriter
    _admin_tokens: dict[str, tuple[AdminToken, str]]  # id -> (token, hash)

    _read: Callable[[Callable[[sqlite3.Connection], Any]], Awaitable[Any]]  # SQLiteStore's

    async def create_admin_token(
        self, *, token_id: str, name: str, token_hash: str, token_hint: str
    ) -> AdminToken:
        now = time.time()
        params = admin_token_params(
            token_id=token_id, name=name, token_hash=token_hash, token_hint=token_hint, now=now
        )
        await self._writer.run(lambda conn: conn.execute(Q["insert_admin_token"], params))
        token = AdminToken(token_id, name, token_hint, now, None)
        self._admin_tokens[token_id] = (token, token_hash)
        return token

    async def revoke_admin_token(self, token_id: str) -> bool:
        known = self._admin_tokens.get(token_id)
        if known is None or not known[0].active:
            return False
        now = time.time()
        # Forget it in memory first: from this line on, no request authenticates with it.
        self._admin_tokens[token_id] = (replace(known[0], revoked_at=now), known[1])
        params = {"id": token_id, "now": now}
        await self._writer.run(lambda conn: conn.execute(Q["revoke_admin_token"], params))
        return True

    def admin_token_for_hash(self, token_hash: str) -> AdminToken | None:
        for token, stored_hash in tuple(self._admin_tokens.values()):
            if token.active and stored_hash == token_hash:
                return token
        return None

    def list_admin_tokens(self) -> list[AdminToken]:
        return sorted(
            (t for t, _ in tuple(self._admin_tokens.values())), key=lambda t: (t.created_at, t.id)
        )

    async def audit(self, *, actor: str, action: str, target: str, details: dict[str, Any]) -> None:
        params = {
            "at": time.time(),
            "actor": actor,
            "action": action,
            "target": target,
            "details": json.dumps(details, sort_keys=True),
        }
        await self._writer.run(lambda conn: conn.execute(Q["insert_audit"], params))

    async def list_audit(self, *, limit: int, before: int | None) -> list[AuditEntry]:
        params = {"limit": limit, "before": before or NO_ROW}
        rows = await self._read(lambda conn: conn.execute(Q["select_audit"], params).fetchall())
        return [
            AuditEntry(
                r["id"], r["at"], r["actor"], r["action"], r["target"], json.loads(r["details"])
            )
            for r in rows
        ]
