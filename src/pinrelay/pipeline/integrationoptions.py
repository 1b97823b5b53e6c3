"""What an integration's settings add to every event its pipelines produce (issue 5).

Applied by the ingest path after the pipelines and before the schema check, in this order:
app fields (`pipeline.appcontext`), then privacy (`pipeline.privacy`), so the privacy
options always have the last word.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pinrelay.pipeline.appcontext import apply_app_context
from pinrelay.pipeline.privacy import apply_privacy


def integration_options(
    event: dict[str, Any],
    message: Mapping[str, Any],
    settings: Mapping[str, Any],
    *,
    consent_denied: bool = False,
) -> list[str]:
    """Change `event` in place; the notes say what changed (for the trace)."""
    notes = apply_app_context(event, message, settings)
    notes.extend(apply_privacy(event, message, settings, consent_denied=consent_denied))
    partner = settings.get("partner_name")
    if isinstance(partner, str) and partner and "partner_name" not in event:
        event["partner_name"] = partner
    return notes
