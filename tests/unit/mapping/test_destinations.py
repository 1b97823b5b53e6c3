"""A message's `integrations` object decides which pinrelay integrations may have it."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.mapping.destinations import destination_refusal
from pinrelay.store.records import Integration
from tests.support.stores import sample_integration


def _integration() -> Integration:
    return sample_integration(id="int_1", name="Pinterest EU")


@pytest.mark.parametrize(
    "switches",
    [
        None,
        {},
        {"All": True},
        {"Google Analytics": False},
        {"All": False, "Pinterest Conversions API": True},
        {"All": False, "Pinterest EU": {"some": "option"}},
        {"All": False, "int_1": True},
        {"Pinterest Conversions API": "yes"},  # not a switch: no say
    ],
)
def test_these_let_the_integration_have_the_message(switches: Any) -> None:
    message = {"type": "track", "integrations": switches}
    assert destination_refusal(message, _integration()) is None


@pytest.mark.parametrize(
    ("switches", "key"),
    [
        ({"All": False}, "All"),
        ({"Pinterest Conversions API": False}, "Pinterest Conversions API"),
        ({"pinterest conversions api": False}, "pinterest conversions api"),
        ({"All": True, "Pinterest EU": False}, "Pinterest EU"),
        ({"Pinterest Conversions API": True, "int_1": False}, "int_1"),
        ({"Pinterest EU": {"enabled": False}}, "Pinterest EU"),
    ],
)
def test_these_turn_the_integration_off_and_say_which_key(
    switches: dict[str, Any], key: str
) -> None:
    reason = destination_refusal({"integrations": switches}, _integration())
    assert reason is not None
    assert f'"{key}": false' in reason
