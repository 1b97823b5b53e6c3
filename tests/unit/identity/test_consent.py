"""Consent, read in one place: the integration's categories, the source's rule, the cookie."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.identity.consent import (
    category_preferences,
    denies_advertising,
    integration_refusal,
    source_refusal,
)


def consented(**preferences: Any) -> dict[str, Any]:
    return {"type": "track", "context": {"consent": {"categoryPreferences": preferences}}}


@pytest.mark.parametrize(
    "message",
    [{}, {"context": None}, {"context": {"consent": "yes"}}, {"context": {"consent": {}}}],
)
def test_a_message_without_consent_information_has_none(message: dict[str, Any]) -> None:
    assert category_preferences(message) is None
    assert integration_refusal(message, ["advertising"]) is None
    assert not denies_advertising(message)
    assert source_refusal(True, message) is not None  # a source requiring consent waits


def test_an_integration_needs_every_category_granted() -> None:
    assert integration_refusal(consented(advertising=True), ["advertising"]) is None
    assert integration_refusal(consented(advertising=True), []) is None
    refused = integration_refusal(
        consented(advertising=True, analytics="yes"), ["advertising", "analytics"]
    )
    assert refused == "consent not granted for: analytics"


def test_a_source_that_requires_consent_needs_some_category() -> None:
    assert source_refusal(False, consented()) is None
    assert source_refusal(True, consented(analytics=True)) is None
    assert source_refusal(True, consented(analytics=False)) == (
        "the source requires consent and this event grants no category"
    )


def test_withholding_advertising_is_only_an_explicit_non_grant() -> None:
    assert denies_advertising(consented(advertising=False))
    assert denies_advertising(consented(analytics=True))
    assert not denies_advertising(consented(advertising=True))
