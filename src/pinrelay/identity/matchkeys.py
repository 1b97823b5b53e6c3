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

from pinrelay.identity.hashing import drop_reason, normalise_and_hash

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

# Segment spec (context.device): the mobile advertising id (IDFA / GAID), and whether the user
# allows ad tracking. pinterest-capi.md §2.4: `hashed_maids` are hashes of these ids.
ADVERTISING_ID_PATH = ("context", "device", "advertisingId")
AD_TRACKING_PATH = ("context", "device", "adTrackingEnabled")


def _split_fields() -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """MATCH_KEY_FIELDS as (key, field name) pairs: a bag's own fields, then its address's.
    Own fields come first in MATCH_KEY_FIELDS, so reading them first keeps its order (the
    order of each key's values); anything else is a mistake in the table, caught here."""
    own = tuple((key, path[0]) for key, path in MATCH_KEY_FIELDS if len(path) == 1)
    rest = MATCH_KEY_FIELDS[len(own) :]
    if any(len(path) != 2 or path[0] != "address" for _, path in rest):
        raise RuntimeError("MATCH_KEY_FIELDS: a bag's own fields first, then address.<field>")
    return own, tuple((key, path[1]) for key, path in rest)


OWN_FIELDS, ADDRESS_FIELDS = _split_fields()
_Field = tuple[str, str, str]  # (match key, field name, label for problems)


def _bag_fields(
    bag_path: tuple[str, ...],
) -> tuple[tuple[str, ...], tuple[_Field, ...], tuple[_Field, ...]]:
    """What `match_keys_of` reads in one bag, with the labels of its problems."""
    label = ".".join(bag_path)
    own = tuple((key, name, f"{label}.{name}") for key, name in OWN_FIELDS)
    address = tuple((key, name, f"{label}.address.{name}") for key, name in ADDRESS_FIELDS)
    return bag_path, own, address


_BAG_FIELDS = tuple(_bag_fields(bag_path) for bag_path in TRAIT_BAGS)


def lookup(obj: object, path: Iterable[str]) -> object:
    """The value at `path` through nested mappings, or None."""
    for part in path:
        if obj is None:  # most paths miss: no ABC check for that
            return None
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
    """Accumulates hashes per key, deduplicated, first-seen order; notes what it dropped."""

    def __init__(self, problems: list[str] | None) -> None:
        self.keys: dict[str, list[str]] = {}
        self.problems = problems

    def add(self, key: str, raw: object, where: str = "") -> None:
        for value in _values(raw):
            if value is None:
                continue
            hashed = normalise_and_hash(key, value)
            if hashed is None:
                if self.problems is not None:
                    self.problems.append(f"{where or key}: {drop_reason(key, value)}; dropped")
                continue
            found = self.keys.setdefault(key, [])
            if hashed not in found:
                found.append(hashed)


def match_keys_of(
    message: Mapping[str, Any], problems: list[str] | None = None
) -> dict[str, list[str]]:
    """Normalised, SHA-256 hashed match keys found in `message` (pinterest-capi.md §3).

    Values that cannot be a key are dropped; with `problems`, each drop is noted there by
    field and reason (never by value: it is PII).
    """
    collector = _KeyCollector(problems)
    for bag_path, own_fields, address_fields in _BAG_FIELDS:
        bag = lookup(message, bag_path)
        if not isinstance(bag, Mapping):
            continue
        for key, name, where in own_fields:
            raw = bag.get(name)
            if raw is not None:
                collector.add(key, raw, where)
        address = bag.get("address")
        if isinstance(address, Mapping):
            for key, name, where in address_fields:
                raw = address.get(name)
                if raw is not None:
                    collector.add(key, raw, where)
        if bag_path in FULL_NAME_BAGS:
            _add_full_name(collector, bag)
    for field_name in USER_ID_FIELDS:
        user_id = message.get(field_name)
        if user_id is not None:
            collector.add("external_id", user_id, field_name)
    if lookup(message, AD_TRACKING_PATH) is not False:
        advertising_id = lookup(message, ADVERTISING_ID_PATH)
        if advertising_id is not None:
            collector.add("hashed_maids", advertising_id, ".".join(ADVERTISING_ID_PATH))
    return collector.keys


def _add_full_name(collector: _KeyCollector, bag: Mapping[str, Any]) -> None:
    """`name` split into fn / ln, each only where the bag has no first / last name field."""
    names = split_full_name(bag.get(FULL_NAME_FIELD))
    if names is None:
        return
    if not _has_usable(bag, "fn", ("firstName", "first_name")):
        collector.add("fn", names[0])
    if not _has_usable(bag, "ln", ("lastName", "last_name")):
        collector.add("ln", names[1])


def _has_usable(bag: Mapping[str, Any], key: str, fields: tuple[str, ...]) -> bool:
    """Whether one of `fields` holds a value usable as `key` (then `name` is not split for it)."""
    return any(
        normalise_and_hash(key, value) is not None
        for field_name in fields
        for value in _values(bag.get(field_name))
    )


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
