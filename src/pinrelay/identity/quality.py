"""Match quality: which keys an event carries, and one score a person can act on.

Pinterest matches an event to a person with its `user_data` keys (pinterest-capi.md §2.4);
the more strong keys events carry, the more conversions are attributed. Every queued event
counts the keys it carries (`carried_keys`); the admin API turns the counts into the share
of events carrying each key and a score:

    score = sum(weight[key] * share[key]), from 0 (no keys) to 100 (every key on every event)

The weights (`SCORE_WEIGHTS`, summing to 100) follow how identifying a key is: an email is
the key Pinterest recommends above all, then the phone, the click id (a proven Pinterest
click), the advertiser's user id, IP + user agent together (the fallback minimum identity),
the mobile advertising id, and the profile keys, which only help in combination.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pinrelay.identity.hashing import HASHED_KEYS

IP_UA = "ip_ua"  # both client_ip_address and client_user_agent
RAW_KEYS = ("click_id", "partner_id", "client_ip_address", "client_user_agent")

SCORE_WEIGHTS: Mapping[str, int] = {
    "em": 35,
    "ph": 15,
    "click_id": 15,
    "external_id": 10,
    IP_UA: 10,
    "hashed_maids": 5,
    "fn": 2,
    "ln": 2,
    "ct": 1,
    "st": 1,
    "zp": 1,
    "country": 1,
    "db": 1,
    "ge": 1,
}

# What to tell a user whose events lack a key, by key.
ADVICE: Mapping[str, str] = {
    "em": "send the email in identify traits or context.traits (order events: properties)",
    "ph": "send traits.phone, ideally with its country code, or set the source's default_country",
    "click_id": "keep the epik parameter on landing pages, or let the _epik cookie reach pinrelay",
    "external_id": "send userId once the visitor is known",
    IP_UA: "send context.ip and context.userAgent from server-side SDKs",
    "hashed_maids": "send context.device.advertisingId from mobile apps",
}

REPORTED_KEYS: tuple[str, ...] = (
    *sorted(HASHED_KEYS),
    *RAW_KEYS,
    IP_UA,
)


def carried_keys(event: Mapping[str, Any]) -> tuple[str, ...]:
    """The match keys one Pinterest event carries (non-empty values only)."""
    user_data = event.get("user_data")
    if not isinstance(user_data, Mapping):
        return ()
    carried = [key for key in (*sorted(HASHED_KEYS), *RAW_KEYS) if user_data.get(key)]
    if user_data.get("client_ip_address") and user_data.get("client_user_agent"):
        carried.append(IP_UA)
    return tuple(carried)


def score(shares: Mapping[str, float]) -> float:
    """The documented score (module docstring) of shares between 0 and 1."""
    total = sum(weight * shares.get(key, 0.0) for key, weight in SCORE_WEIGHTS.items())
    return round(min(100.0, total), 1)
