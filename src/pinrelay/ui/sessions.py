"""Browser sessions of the management UI: a random id in the cookie, the actor in memory.

The cookie never holds the admin token: it holds a random session id (256 bits) that maps, in
this process only, to the actor the token identified and a per-session CSRF token. One process
owns the admin port, so memory is authoritative; a restart simply logs everyone out.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pinrelay.credentials import same_secret

COOKIE_NAME = "pinrelay_session"
IDLE_SECONDS = 8 * 3600.0  # a session unused this long ends (a working day)
ABSOLUTE_SECONDS = 24 * 3600.0  # and none outlives a day, however busy
MAX_SESSIONS = 1000  # oldest sessions are dropped past this (a bound on memory)


@dataclass
class Session:
    id: str
    actor: str
    csrf_token: str
    created_at: float
    last_seen: float
    flash: list[str] = field(default_factory=list)
    reveal: dict[str, str] = field(default_factory=dict)  # secrets shown once, then dropped


class SessionStore:
    """Sessions by id; `clock` is injectable so tests can make one expire without sleeping."""

    def __init__(
        self,
        *,
        idle_seconds: float = IDLE_SECONDS,
        absolute_seconds: float = ABSOLUTE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        self.clock = clock
        self._sessions: dict[str, Session] = {}

    def create(self, actor: str) -> Session:
        now = self.clock()
        self._drop_expired(now)
        while len(self._sessions) >= MAX_SESSIONS:
            oldest = min(self._sessions.values(), key=lambda s: s.last_seen)
            del self._sessions[oldest.id]
        session = Session(
            id=secrets.token_urlsafe(32),
            actor=actor,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen=now,
        )
        self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        """The live session with this id (touched), or None if unknown or expired."""
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = self.clock()
        if self._expired(session, now):
            del self._sessions[session.id]
            return None
        session.last_seen = now
        return session

    def end(self, session_id: str | None) -> None:
        if session_id:
            self._sessions.pop(session_id, None)

    def end_actor(self, actor: str) -> None:
        """End every session of an actor (its token was revoked)."""
        for session in [s for s in self._sessions.values() if s.actor == actor]:
            del self._sessions[session.id]

    def __len__(self) -> int:
        return len(self._sessions)

    def _expired(self, session: Session, now: float) -> bool:
        return (
            now - session.last_seen > self.idle_seconds
            or now - session.created_at > self.absolute_seconds
        )

    def _drop_expired(self, now: float) -> None:
        for session in [s for s in self._sessions.values() if self._expired(s, now)]:
            del self._sessions[session.id]


def csrf_ok(session: Session, submitted: str | None) -> bool:
    """Whether a form carried this session's CSRF token (constant-time compare)."""
    return bool(submitted) and same_secret(submitted or "", session.csrf_token)
