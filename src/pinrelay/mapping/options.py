"""What an integration's settings add to every event its pipelines produce (issue 5).

Applied by `mapping.mapper` after the pipelines and before the schema check, in this order:
the anonymous id as an extra `external_id` (`anonymous_id_as_external_id`), app fields
(`mapping.appcontext`), then privacy (`mapping.privacy`), so the privacy options always have
the last word; then `partner_name`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pinrelay.identity.hashing import normalise_and_hash
from pinrelay.mapping.appcontext import apply_app_context
from pinrelay.mapping.privacy import apply_privacy


def add_anonymous_external_id(
    event: dict[str, Any], message: Mapping[str, Any], settings: Mapping[str, Any]
) -> None:
    """The anonymous id as a second `external_id`, when the integration asks for it."""
    if not settings.get("anonymous_id_as_external_id"):
        return
    user_data = event.get("user_data")
    hashed = normalise_and_hash("external_id", message.get("anonymousId"))
    if not isinstance(user_data, dict) or hashed is None:
        return
    ids = user_data.get("external_id")
    ids = list(ids) if isinstance(ids, list) else []
    if hashed not in ids:
        user_data["external_id"] = [*ids, hashed]


def integration_options(
    event: dict[str, Any],
    message: Mapping[str, Any],
    settings: Mapping[str, Any],
    *,
    consent_denied: bool = False,
) -> list[str]:
    """Change `event` in place; the notes say what changed (for the trace)."""
    add_anonymous_external_id(event, message, settings)
    notes = apply_app_context(event, message, settings)
    notes.extend(apply_privacy(event, message, settings, consent_denied=consent_denied))
    partner = settings.get("partner_name")
    if isinstance(partner, str) and partner and "partner_name" not in event:
        event["partner_name"] = partner
    return notes
