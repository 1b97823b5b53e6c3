"""The SQLite store's subject filter: a Bloom filter of who may have a stored identity.

Its one promise: a subject it was told of (added, or read from the table) is never answered
"certainly not stored". Everything else is a matter of cost: few false positives, bounded size.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from structlog.testing import capture_logs

from pinrelay.store.sqlite.connection import connect, migrate
from pinrelay.store.sqlite.subjectfilter import SubjectFilter


def _loaded(subjects: SubjectFilter) -> SubjectFilter:
    """A filter loaded from an empty table (no database needed)."""
    subjects._loaded.set()
    return subjects


def _wait_loaded(subjects: SubjectFilter) -> None:
    deadline = time.monotonic() + 10
    while not subjects.loaded:
        assert time.monotonic() < deadline, "the filter never finished loading"
        time.sleep(0.01)


def test_a_subject_it_was_told_of_may_be_stored_one_it_was_not_is_not() -> None:
    subjects = _loaded(SubjectFilter())
    subjects.add("src_1", "user", "u1")
    assert subjects.may_hold("src_1", "user", "u1")
    assert not subjects.may_hold("src_1", "user", "u2")


def test_sources_and_kinds_are_apart() -> None:
    subjects = _loaded(SubjectFilter())
    subjects.add("src_1", "user", "same")
    assert not subjects.may_hold("src_2", "user", "same")
    assert not subjects.may_hold("src_1", "anonymous", "same")


def test_it_grows_past_its_first_layer_and_forgets_no_one() -> None:
    subjects = _loaded(SubjectFilter(first_layer_subjects=100))
    told = [f"user-{n}" for n in range(1000)]
    for subject in told:
        subjects.add("src_1", "user", subject)
    assert len(subjects._layers) > 1
    assert all(subjects.may_hold("src_1", "user", subject) for subject in told)


def test_false_positives_stay_near_one_percent() -> None:
    subjects = _loaded(SubjectFilter(first_layer_subjects=10_000))
    for n in range(10_000):
        subjects.add("src_1", "anonymous", f"told-{n}")
    strangers = sum(subjects.may_hold("src_1", "anonymous", f"new-{n}") for n in range(20_000))
    assert strangers / 20_000 < 0.02


def test_a_returning_subject_does_not_grow_it() -> None:
    subjects = _loaded(SubjectFilter(first_layer_subjects=10))
    for _ in range(100):
        subjects.add("src_1", "user", "u1")
    assert len(subjects._layers) == 1


def test_until_the_table_is_read_every_subject_may_be_stored() -> None:
    subjects = SubjectFilter()
    assert not subjects.loaded
    assert subjects.may_hold("src_1", "user", "never-seen")


def _database_with(path: Path, subjects: list[tuple[str, str, str]]) -> Path:
    conn = connect(path)
    migrate(conn)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO identities (source_id, kind, subject, match_keys, updated_at)"
        " VALUES (?, ?, ?, '{}', 0)",
        subjects,
    )
    conn.execute("COMMIT")
    conn.close()
    return path


def test_it_learns_every_stored_subject_from_the_table(tmp_path: Path) -> None:
    stored = [("src_1", "anonymous", f"device-{n}") for n in range(5000)]
    path = _database_with(tmp_path / "pinrelay.db", stored)
    subjects = SubjectFilter(first_layer_subjects=1000)
    subjects.start_loading(lambda: connect(path, read_only=True))
    _wait_loaded(subjects)
    subjects.stop()
    assert all(subjects.may_hold(*subject) for subject in stored)
    strangers = sum(subjects.may_hold("src_1", "anonymous", f"new-{n}") for n in range(1000))
    assert strangers < 50  # three layers of ~1% each


def test_a_table_it_cannot_read_leaves_every_miss_to_a_read(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()  # no identities table
    subjects = SubjectFilter()
    with capture_logs() as logs:
        subjects.start_loading(lambda: connect(path, read_only=True))
        subjects.stop()  # joins the loader
    assert not subjects.loaded
    assert subjects.may_hold("src_1", "user", "anyone")
    assert [log["event"] for log in logs] == [
        "subject filter not loaded: every new visitor costs a read"
    ]


def test_a_filter_stopped_before_its_load_reads_nothing(tmp_path: Path) -> None:
    stored = [("src_1", "user", f"u{n}") for n in range(5000)]
    path = _database_with(tmp_path / "pinrelay.db", stored)
    subjects = SubjectFilter()
    subjects.stop()  # before any load: nothing to join, and the load to come stops at once
    subjects.start_loading(lambda: connect(path, read_only=True))
    subjects.stop()
    assert not subjects.loaded
