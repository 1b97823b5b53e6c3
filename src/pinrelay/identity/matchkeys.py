"""The hashed match keys a Segment message carries, wherever the sender put them.

Segment's spec puts user traits in `traits` (identify) or `context.traits` (track, page,
screen); forms often send them in `properties`. pinterest-capi.md §2.4: every hashed key is an
array, so several values per key are kept, deduplicated, in the order found.

`MATCH_KEY_FIELDS` is the one list of where PII is read: `identity.redaction` hashes exactly
these places before the event log stores a message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pinrelay.identity.hashing import normalise_and_hash

# Where trait objects live in a message, in the order their values are taken.
TRAIT_BAGS: tuple[tuple[str, ...], ...] = (("traits",), ("context", "traits"), ("properties",))

# (match key, path inside a trait bag). Segment spells traits in camelCase; snake_case is
# accepted too because server-side senders often use it.
MATCH_KEY_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("em", ("email",)),
    ("ph", ("phone",)),
    ("fn", ("firstName",)),
    ("fn", ("first_name",)),
    ("ln", ("lastName",)),
    ("ln", ("last_name",)),
    ("ge", ("gender",)),
    ("db", ("birthday",)),
    ("ct", ("address", "city")),
    ("st", ("address", "state")),
    ("zp", ("address", "postalCode")),
    ("zp", ("address", "postal_code")),
    ("country", ("address", "country")),
)

# `name` is a person's full name only in traits: in `properties` the e-commerce spec uses it
# for the product's name.
FULL_NAME_BAGS: tuple[tuple[str, ...], ...] = (("traits",), ("context", "traits"))
FULL_NAME_FIELD = "name"

USER_ID_FIELDS = ("userId", "user_id")


def lookup(obj: object, path: Iterable[str]) -> object:
    """The value at `path` through nested mappings, or None."""
    for part in path:
        if not isinstance(obj, dict) and not isinstance(obj, Mapping):  # dict: fast path
            return None
        obj = obj.get(part)
    return obj


def split_full_name(value: object) -> tuple[str, str] | None:
    """(first, last) words of a full name of at least two words, else None (UNVERIFIED rule)."""
    if not isinstance(value, str):
        return None
    words = value.split()
    if len(words) < 2:
        return None
    return words[0], words[-1]


def _values(raw: object) -> list[object]:
    return list(raw) if isinstance(raw, list | tuple) else [raw]


class _KeyCollector:
    """Accumulates hashes per key, deduplicated, first-seen order."""

    def __init__(self) -> None:
        self.keys: dict[str, list[str]] = {}

    def add(self, key: str, raw: object) -> None:
        for value in _values(raw):
            hashed = normalise_and_hash(key, value)
            if hashed is None:
                continue
            found = self.keys.setdefault(key, [])
            if hashed not in found:
                found.append(hashed)


def match_keys_of(message: Mapping[str, Any]) -> dict[str, list[str]]:
    """Normalised, SHA-256 hashed match keys found in `message` (pinterest-capi.md §3)."""
    collector = _KeyCollector()
    for bag_path in TRAIT_BAGS:
        bag = lookup(message, bag_path)
        if not isinstance(bag, Mapping):
            continue
        for key, field_path in MATCH_KEY_FIELDS:
            raw = lookup(bag, field_path)
            if raw is not None:
                collector.add(key, raw)
        if bag_path in FULL_NAME_BAGS:
            names = split_full_name(bag.get(FULL_NAME_FIELD))
            if names is not None:
                collector.add("fn", names[0])
                collector.add("ln", names[1])
    for field_name in USER_ID_FIELDS:
        user_id = message.get(field_name)
        if user_id is not None:
            collector.add("external_id", user_id)
    return collector.keys


def merge_match_keys(*key_sets: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Union of several match-key dicts: order of first appearance kept, duplicates dropped."""
    merged: dict[str, list[str]] = {}
    for key_set in key_sets:
        for key, values in key_set.items():
            found = merged.setdefault(key, [])
            for value in values:
                if value not in found:
                    found.append(value)
    return {key: values for key, values in merged.items() if values}
