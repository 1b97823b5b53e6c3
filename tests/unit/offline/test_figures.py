"""Figures survive a save and a restart; the error file keeps only rows a resume won't redo."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pinrelay.offline.figures import ImportFigures
from pinrelay.offline.jobs import trim_error_file


def test_figures_round_trip_through_their_stored_form() -> None:
    figures = ImportFigures(
        rows_read=10,
        events=8,
        queued=6,
        duplicate=1,
        refused=Counter({"too old": 2, "unmatchable": 1}),
        match_keys=Counter({"em": 6, "ph": 3}),
    )

    stored = figures.as_dict()

    assert ImportFigures.from_dict(stored) == figures
    assert stored["too_old"] == 2
    assert stored["refused_total"] == 3
    assert stored["coverage"] == {"em": 1.0, "ph": 0.5}


def test_a_resumed_import_drops_the_error_lines_it_will_write_again(tmp_path: Path) -> None:
    errors = tmp_path / "e.csv"
    errors.write_text("row,kind,reason\n3,too old,x\n7,bad time,y\n12,unmatchable,z\n")

    trim_error_file(errors, rows_read=7)

    assert errors.read_text().splitlines() == ["row,kind,reason", "3,too old,x", "7,bad time,y"]
