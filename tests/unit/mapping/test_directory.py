"""The `--pipelines` directory: strict first load, hot reload, and a bad file never wins."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from pinrelay.errors import PipelineError
from pinrelay.mapping.directory import PipelineDirectory
from pinrelay.pipeline import PipelineLoadError


def pipeline(name: str, event_name: str = "lead") -> str:
    return (
        f"name: {name}\ntrigger:\n  event: track\n"
        f"transform:\n  static:\n    - {{target: event_name, value: {event_name}}}\n"
    )


def write(path: Path, text: str) -> None:
    """Write and move the mtime forward, so a change within one clock tick is still seen."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "a.yaml").write_text(pipeline("a"))
    (tmp_path / "b.yml").write_text(pipeline("b"))
    (tmp_path / "notes.txt").write_text("not a pipeline")
    return tmp_path


def test_the_first_load_reads_every_yaml_file_in_name_order(folder: Path) -> None:
    directory = PipelineDirectory(folder)
    directory.load()
    assert [d.name for d in directory.definitions] == ["a", "b"]
    assert directory.poll() is False


def test_the_first_load_fails_with_every_problem(folder: Path) -> None:
    write(folder / "b.yml", pipeline("b").replace("static", "statik"))
    with pytest.raises(PipelineLoadError) as raised:
        PipelineDirectory(folder).load()
    assert str(raised.value).startswith(f"{folder / 'b.yml'}:5:3: transform.statik: unknown key")


def test_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="does not exist"):
        PipelineDirectory(tmp_path / "nope").load()


def test_a_changed_file_is_reloaded(folder: Path) -> None:
    directory = PipelineDirectory(folder)
    directory.load()
    generation = directory.generation
    write(folder / "a.yaml", pipeline("a", "signup"))
    assert directory.poll() is True
    assert directory.generation > generation
    static = directory.definitions[0].static[0]
    assert static.value == "signup"


def test_a_new_and_a_removed_file(folder: Path) -> None:
    directory = PipelineDirectory(folder)
    directory.load()
    write(folder / "c.yaml", pipeline("c"))
    (folder / "a.yaml").unlink()
    assert directory.poll() is True
    assert [d.name for d in directory.definitions] == ["b", "c"]


def test_a_bad_file_keeps_its_last_good_version_and_is_logged_with_its_position(
    folder: Path,
) -> None:
    directory = PipelineDirectory(folder)
    directory.load()
    write(folder / "a.yaml", pipeline("a").replace("track", "trak"))
    with capture_logs() as logs:
        assert directory.poll() is False
    assert [d.name for d in directory.definitions] == ["a", "b"]
    assert directory.definitions[0].trigger.event_types == ("track",)
    (entry,) = logs
    assert entry["action"] == "pipelines.rejected"
    assert entry["problem"].startswith(f"{folder / 'a.yaml'}:3:10: trigger.event: unknown")
    write(folder / "a.yaml", pipeline("a", "signup"))  # fixed: taken again
    assert directory.poll() is True


def test_a_file_reusing_another_files_name_is_refused(folder: Path) -> None:
    directory = PipelineDirectory(folder)
    directory.load()
    write(folder / "c.yaml", pipeline("a"))
    with capture_logs() as logs:
        assert directory.poll() is False
    assert "already used" in logs[0]["problem"]
    assert [d.name for d in directory.definitions] == ["a", "b"]
