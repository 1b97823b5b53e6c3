"""A message's own `integrations` object: which destinations the sender allows.

Segment's (and RudderStack's) convention, which consent tools rely on: `{"All": false}` turns
every destination off, `{"Pinterest Conversions API": false}` turns one off, and a named
destination set to `true` (or to an options object) is on even when `All` is false. A key
names a pinrelay integration by Segment's destination name, by the integration's own name or
by its id; the most specific key wins (id, then name, then the destination name, then All).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pinrelay.store.records import Integration

ALL = "All"
# What senders call this destination in Segment's and RudderStack's catalogues
DESTINATION_NAMES = ("Pinterest Conversions API", "Pinterest Conversion API", "PINTEREST_TAG")


def _switch(value: Any) -> bool | None:
    """true/false, or an options object (Segment: on, with options); anything else: no say."""
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return value.get("enabled") is not False
    return None


def destination_refusal(message: Mapping[str, Any], integration: Integration) -> str | None:
    """None if the message's `integrations` lets this integration have it, else why not."""
    switches = message.get("integrations")
    if not isinstance(switches, dict) or not switches:
        return None
    lowered = {str(key).strip().lower(): (key, value) for key, value in switches.items()}
    candidates = [integration.id, integration.name, *DESTINATION_NAMES, ALL]
    for name in candidates:
        found = lowered.get(name.strip().lower())
        if found is None:
            continue
        key, value = found
        allowed = _switch(value)
        if allowed is None:
            continue
        if allowed:
            return None
        return f'the message\'s integrations object turns it off ("{key}": false)'
    return None
