"""Sessions: random ids, idle and absolute expiry, logout, per-session CSRF tokens."""

from __future__ import annotations

from pinrelay.ui.sessions import MAX_SESSIONS, SessionStore, csrf_ok


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_session_maps_a_random_id_to_the_actor() -> None:
    sessions = SessionStore()
    one, two = sessions.create("env"), sessions.create("env")
    assert one.id != two.id
    assert len(one.id) >= 40
    assert one.csrf_token != two.csrf_token
    found = sessions.get(one.id)
    assert found is not None
    assert found.actor == "env"


def test_unknown_and_missing_ids_are_no_session() -> None:
    sessions = SessionStore()
    assert sessions.get(None) is None
    assert sessions.get("") is None
    assert sessions.get("made-up") is None


def test_an_idle_session_expires_but_use_keeps_it_alive() -> None:
    clock = Clock()
    sessions = SessionStore(idle_seconds=100, absolute_seconds=10_000, clock=clock)
    session = sessions.create("env")
    clock.now += 90
    assert sessions.get(session.id) is not None
    clock.now += 90  # 180 s after creation, 90 s after last use
    assert sessions.get(session.id) is not None
    clock.now += 101
    assert sessions.get(session.id) is None
    assert len(sessions) == 0


def test_no_session_outlives_the_absolute_limit() -> None:
    clock = Clock()
    sessions = SessionStore(idle_seconds=100, absolute_seconds=250, clock=clock)
    session = sessions.create("env")
    for _ in range(3):
        clock.now += 90
        sessions.get(session.id)
    assert sessions.get(session.id) is None


def test_logout_and_revocation_end_sessions() -> None:
    sessions = SessionStore()
    mine, theirs, other = sessions.create("tok_a"), sessions.create("tok_a"), sessions.create("env")
    sessions.end(mine.id)
    assert sessions.get(mine.id) is None
    sessions.end_actor("tok_a")
    assert sessions.get(theirs.id) is None
    assert sessions.get(other.id) is not None


def test_memory_is_bounded_by_dropping_the_least_recently_used() -> None:
    clock = Clock()
    sessions = SessionStore(clock=clock)
    first = sessions.create("env")
    for _ in range(MAX_SESSIONS):
        clock.now += 1
        sessions.create("env")
    assert len(sessions) == MAX_SESSIONS
    assert sessions.get(first.id) is None


def test_csrf_token_must_be_the_sessions_own() -> None:
    sessions = SessionStore()
    session = sessions.create("env")
    assert csrf_ok(session, session.csrf_token)
    assert not csrf_ok(session, None)
    assert not csrf_ok(session, "")
    assert not csrf_ok(session, sessions.create("env").csrf_token)
