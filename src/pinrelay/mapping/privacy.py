"""Privacy options of an integration, applied to every event its pipelines produce.

- `opt_out_from_device` (default true): a Segment mobile context with
  `context.device.adTrackingEnabled: false` (iOS Limit Ad Tracking, Android opt-out of Ads
  Personalization) sets `opt_out: true` (pinterest-capi.md §2.2, `opt_out`).
- `consent_denied`: `drop` (default) does not send an event whose consent categories are
  not granted; `opt_out` sends it with `opt_out: true` (`identity.consent` reads consent).
- `ldp`: Limited Data Processing for California residents (pinterest-capi.md §5.2):
  `flagged` (default) when the event says so (`context.ldp: true`, or `opt_out_type`
  containing `LDP` in `properties` or `context`), `all` for every event of the integration
  (a source that only serves California), `off` never. LDP sets
  `custom_data.opt_out_type` to include `LDP`, and `user_data.st` / `user_data.country` to the
  SHA-256 of California / US where the event has none (LDP needs all three); a state or
  country the event carries is the user's real one and is never overwritten.
- `ldp_hash_case`: the case hashed for `st` and `country`. Pinterest contradicts itself
  (§5.2): the spec says lowercase (`ca`, `us`), the LDP page hashes uppercase (`CA`, `US`),
  and which one LDP matches is UNVERIFIED. Default `both`: both fields are arrays, so both
  hashes are sent and LDP applies under either reading; failing to apply a legal opt-out is
  the worse risk, while an extra hash of a weak match key costs nothing known.
  `uppercase` / `lowercase` send one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

LDP = "LDP"
LDP_CASES = {
    "both": (("CA", "US"), ("ca", "us")),
    "uppercase": (("CA", "US"),),
    "lowercase": (("ca", "us"),),
}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _section(message: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = message.get(key)
    return value if isinstance(value, Mapping) else {}


def ad_tracking_disabled(message: Mapping[str, Any]) -> bool:
    device = _section(_section(message, "context"), "device")
    return device.get("adTrackingEnabled") is False


def _has_ldp(value: Any) -> bool:
    return isinstance(value, str) and LDP in (part.strip().upper() for part in value.split(","))


def ldp_flagged(message: Mapping[str, Any]) -> bool:
    context = _section(message, "context")
    return (
        context.get("ldp") is True
        or _has_ldp(context.get("opt_out_type"))
        or _has_ldp(_section(message, "properties").get("opt_out_type"))
    )


def apply_ldp(event: dict[str, Any], case: str) -> list[str]:
    """Flag LDP; fill st / country with California / US only where the event has none.

    A state or country the event carries is the user's real one and is never replaced: LDP
    then applies only if it is California / US (Pinterest needs all three, §5.2), and sending
    someone else's state would also corrupt matching. Returns notes for the trace.
    """
    custom_data = event.setdefault("custom_data", {})
    current = custom_data.get("opt_out_type")
    if not _has_ldp(current):
        custom_data["opt_out_type"] = (
            f"{current},{LDP}" if isinstance(current, str) and current else LDP
        )
    pairs = LDP_CASES.get(case, LDP_CASES["both"])
    user_data = event.setdefault("user_data", {})
    notes: list[str] = []
    for key, position, name in (("st", 0, "California"), ("country", 1, "US")):
        wanted = {_sha256(pair[position]) for pair in LDP_CASES["both"]}
        real = user_data.get(key)
        if not real:
            user_data[key] = [_sha256(pair[position]) for pair in pairs]
        elif not wanted & set(real):
            notes.append(
                f"user_data.{key}: the user's own value is kept and is not {name}, "
                "so Pinterest will not apply LDP to this event"
            )
    return notes


def apply_privacy(
    event: dict[str, Any],
    message: Mapping[str, Any],
    settings: Mapping[str, Any],
    *,
    consent_denied: bool = False,
) -> list[str]:
    """Apply the integration's privacy options to `event` in place; notes of what was done."""
    notes: list[str] = []
    if consent_denied:
        event["opt_out"] = True
        notes.append("opt_out: consent not granted (consent_denied: opt_out)")
    if settings.get("opt_out_from_device", True) and ad_tracking_disabled(message):
        event["opt_out"] = True
        notes.append("opt_out: context.device.adTrackingEnabled is false")
    ldp = settings.get("ldp", "flagged")
    if ldp == "all" or (ldp == "flagged" and ldp_flagged(message)):
        notes.append("custom_data.opt_out_type: LDP (California resident)")
        notes.extend(apply_ldp(event, str(settings.get("ldp_hash_case", "both"))))
    return notes
