"""The trace's outcomes: one enum, spelled the same wherever the values are read back."""

from __future__ import annotations

import re
from importlib.resources import files
from typing import get_args

from pinrelay.mapping.trace import Outcome, refusal_step
from pinrelay.services.eventstats import OUTCOMES
from pinrelay.services.models.events import Outcome as OutcomeFilter


def test_the_values_are_the_strings_already_stored() -> None:
    assert [o.value for o in Outcome] == [
        "queued",
        "filtered",
        "unmatchable",
        "invalid",
        "no_pipeline",
    ]
    assert Outcome("no_pipeline") is Outcome.NO_PIPELINE
    assert Outcome.QUEUED.sent
    assert not Outcome.FILTERED.sent


def test_the_admin_filter_the_charts_and_ui_js_name_every_outcome() -> None:
    assert set(get_args(OutcomeFilter)) == set(Outcome)
    assert set(OUTCOMES) == set(Outcome)
    script = (files("pinrelay.ui") / "static" / "ui.js").read_text(encoding="utf-8")
    series = re.search(r"var SERIES = \[([^\]]*)\]", script)
    assert series is not None
    assert set(Outcome) <= set(re.findall(r'"([a-z_]+)"', series.group(1)))


def test_a_step_encodes_as_the_plain_dict_it_replaces() -> None:
    import msgspec

    step = refusal_step("int_1", Outcome.FILTERED, "consent not granted for: advertising")
    assert msgspec.json.decode(msgspec.json.encode([step])) == [
        {
            "integration_id": "int_1",
            "outcome": "filtered",
            "reason": "consent not granted for: advertising",
        }
    ]
