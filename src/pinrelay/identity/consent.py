"""What the visitor consented to, read from a Segment message: the one place consent is parsed.

Segment's convention (also RudderStack's and pinrelay.js's): `context.consent.categoryPreferences`
maps a category name to a bool, e.g. `{"advertising": true, "analytics": false}`. A message
without it comes from a source that does not collect consent. Three rules read it:

- an integration's `consent_categories` must all be granted (`integration_refusal`); a message
  without consent information is allowed (the source asks for none);
- a source that requires consent sends nothing until some category is granted
  (`source_refusal`): the server's half of what pinrelay.js does in the page;
- the `_epik` click id cookie is not set for a visitor who withholds `advertising`
  (`denies_advertising`).

Pure functions, no I/O; the refusals are sentences for the event debugger's trace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

ADVERTISING = "advertising"  # Segment's consent category for ad measurement


def category_preferences(message: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The message's consent categories (category -> granted), or None when it has none."""
    context = message.get("context")
    consent = context.get("consent") if isinstance(context, Mapping) else None
    preferences = consent.get("categoryPreferences") if isinstance(consent, Mapping) else None
    return preferences if isinstance(preferences, Mapping) else None


def integration_refusal(message: Mapping[str, Any], categories: Sequence[str]) -> str | None:
    """None if every category an integration needs is granted (or the message says nothing
    about consent), else which are not."""
    if not categories:
        return None
    preferences = category_preferences(message)
    if preferences is None:
        return None
    denied = [category for category in categories if preferences.get(category) is not True]
    if denied:
        return "consent not granted for: " + ", ".join(denied)
    return None


def source_refusal(consent_required: bool, message: Mapping[str, Any]) -> str | None:
    """None unless the source requires consent and the message grants no category."""
    if not consent_required:
        return None
    preferences = category_preferences(message)
    if preferences is not None and any(value is True for value in preferences.values()):
        return None
    return "the source requires consent and this event grants no category"


def denies_advertising(message: Mapping[str, Any]) -> bool:
    """Whether the message's consent withholds `advertising` (no consent information: no)."""
    preferences = category_preferences(message)
    return preferences is not None and preferences.get(ADVERTISING) is not True
