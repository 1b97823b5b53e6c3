"""Privacy options of an integration: opt_out from the device or consent, and LDP."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.mapping.privacy import apply_privacy
from tests.unit.pipeline.conftest import sha

LOCKED_DEVICE: dict[str, Any] = {"context": {"device": {"adTrackingEnabled": False}}}


def event() -> dict[str, Any]:
    return {"event_name": "checkout", "user_data": {"em": [sha("a@b.c")]}, "custom_data": {}}


def test_a_device_that_limits_ad_tracking_opts_out() -> None:
    built = event()
    notes = apply_privacy(built, LOCKED_DEVICE, {})
    assert built["opt_out"] is True
    assert notes == ["opt_out: context.device.adTrackingEnabled is false"]


def test_the_device_rule_can_be_turned_off_and_needs_an_explicit_false() -> None:
    built = event()
    apply_privacy(built, LOCKED_DEVICE, {"opt_out_from_device": False})
    apply_privacy(built, {"context": {"device": {}}}, {})
    assert "opt_out" not in built


def test_a_consent_denial_opts_out() -> None:
    built = event()
    apply_privacy(built, {}, {}, consent_denied=True)
    assert built["opt_out"] is True


@pytest.mark.parametrize(
    "message",
    [
        {"context": {"ldp": True}},
        {"context": {"opt_out_type": "LDP"}},
        {"properties": {"opt_out_type": "other, ldp"}},
    ],
)
def test_an_event_flagged_as_californian_gets_ldp_with_both_cases_by_default(
    message: dict[str, Any],
) -> None:
    built = event()
    apply_privacy(built, message, {})
    assert built["custom_data"]["opt_out_type"] == "LDP"
    assert built["user_data"]["st"] == [sha("CA"), sha("ca")]
    assert built["user_data"]["country"] == [sha("US"), sha("us")]
    assert built["user_data"]["em"] == [sha("a@b.c")]


@pytest.mark.parametrize(
    ("case", "state", "country"),
    [("uppercase", ["CA"], ["US"]), ("lowercase", ["ca"], ["us"])],
)
def test_the_hash_case_can_be_chosen(case: str, state: list[str], country: list[str]) -> None:
    built = event()
    apply_privacy(built, {}, {"ldp": "all", "ldp_hash_case": case})
    assert built["user_data"]["st"] == [sha(s) for s in state]
    assert built["user_data"]["country"] == [sha(c) for c in country]


def test_ldp_keeps_other_opt_out_types_and_can_be_off() -> None:
    built = {"custom_data": {"opt_out_type": "OTHER"}}
    apply_privacy(built, {}, {"ldp": "all"})
    assert built["custom_data"]["opt_out_type"] == "OTHER,LDP"
    untouched = event()
    apply_privacy(untouched, {"context": {"ldp": True}}, {"ldp": "off"})
    assert untouched == event()


def test_ldp_never_overwrites_the_users_real_state_and_country() -> None:
    """A New York resident flagged LDP keeps st = ny: Pinterest then does not apply LDP
    (it needs st = California and country = US, pinterest-capi.md §5.2)."""
    built = event()
    built["user_data"]["st"] = [sha("ny")]
    built["user_data"]["country"] = [sha("us")]
    notes = apply_privacy(built, {"context": {"ldp": True}}, {})
    assert built["user_data"]["st"] == [sha("ny")]
    assert built["user_data"]["country"] == [sha("us")]
    assert built["custom_data"]["opt_out_type"] == "LDP"
    assert any("user_data.st: the user's own value is kept" in note for note in notes)
    assert not any("user_data.country" in note for note in notes)


def test_a_californian_keeps_their_own_hashes_and_only_missing_ones_are_filled() -> None:
    built = event()
    built["user_data"]["st"] = [sha("ca")]
    notes = apply_privacy(built, {"context": {"ldp": True}}, {"ldp_hash_case": "uppercase"})
    assert built["user_data"]["st"] == [sha("ca")]
    assert built["user_data"]["country"] == [sha("US")]
    assert notes == ["custom_data.opt_out_type: LDP (California resident)"]
