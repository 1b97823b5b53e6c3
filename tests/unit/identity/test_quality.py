"""Match quality: keys carried per event and the documented score."""

from __future__ import annotations

from pinrelay.identity.quality import SCORE_WEIGHTS, carried_keys, score


def test_weights_sum_to_100() -> None:
    assert sum(SCORE_WEIGHTS.values()) == 100


def test_carried_keys_count_ip_and_ua_together() -> None:
    event = {
        "user_data": {
            "em": ["h"],
            "external_id": ["h"],
            "click_id": "c",
            "client_ip_address": "203.0.113.9",
            "client_user_agent": "Mozilla/5.0",
            "ph": [],
        }
    }
    assert carried_keys(event) == (
        "em", "external_id", "click_id", "client_ip_address", "client_user_agent", "ip_ua",
    )  # fmt: skip
    assert carried_keys({"user_data": {"client_ip_address": "203.0.113.9"}}) == (
        "client_ip_address",
    )
    assert carried_keys({}) == ()


def test_score_is_the_weighted_sum_of_shares() -> None:
    assert score({}) == 0
    assert score(dict.fromkeys(SCORE_WEIGHTS, 1.0)) == 100
    assert score({"em": 1.0, "ip_ua": 0.5}) == 40
