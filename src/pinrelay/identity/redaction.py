"""A copy of a message safe to store: PII match keys hashed, PII anywhere else hashed too.

DESIGN.md: raw PII is hashed before the event log writes it. Values are replaced by their
normalised SHA-256 (pinterest-capi.md §3) rather than deleted, because the pipelines pass
64-hex input through unchanged: replaying the stored copy gives the same Pinterest event as
the original did. Values that cannot be normalised are removed (the pipelines drop them too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from pinrelay.identity.hashing import normalise_and_hash
from pinrelay.identity.matchkeys import (
    ADDRESS_FIELDS,
    ADVERTISING_ID_PATH,
    FULL_NAME_BAGS,
    FULL_NAME_FIELD,
    OWN_FIELDS,
    TRAIT_BAGS,
    split_full_name,
)
from pinrelay.identity.piiscan import scrub_tree, stored_id

# PII that no match key reads, removed outright: a street line, or a whole address written
# as one string instead of Segment's address object.
_UNREAD_ADDRESS_FIELDS = ("street",)

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(dict[str, Any]).decode


def _plain_copy(value: object) -> object:
    """Deep copy into plain dicts and lists (the shape JSON and the event log use)."""
    if isinstance(value, str | int | float) or value is None:  # leaves: skip the ABC check
        return value
    if isinstance(value, Mapping):
        return {key: _plain_copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_copy(item) for item in value]
    return value


def _hashed(key: str, raw: object) -> object | None:
    if isinstance(raw, list):
        hashes = [h for item in raw if (h := normalise_and_hash(key, item)) is not None]
        return hashes or None
    return normalise_and_hash(key, raw)


def _redact_full_name(bag: dict[str, Any]) -> None:
    """Replace "First Last" with "<hash first> <hash last>" so it still splits the same way."""
    if bag.get(FULL_NAME_FIELD) is None:
        return
    names = split_full_name(bag[FULL_NAME_FIELD])
    first = None if names is None else normalise_and_hash("fn", names[0])
    last = None if names is None else normalise_and_hash("ln", names[1])
    if first is None or last is None:
        del bag[FULL_NAME_FIELD]
    else:
        bag[FULL_NAME_FIELD] = f"{first} {last}"


def _redact_fields(holder: dict[str, Any], fields: tuple[tuple[str, str], ...]) -> None:
    for key, name in fields:
        raw = holder.get(name)
        if raw is None:
            continue
        replacement = _hashed(key, raw)
        if replacement is None:
            del holder[name]
        else:
            holder[name] = replacement


def _redact_bag(bag: dict[str, Any], *, has_full_name: bool) -> None:
    """The match keys of MATCH_KEY_FIELDS (the same places `match_keys_of` reads)."""
    _redact_fields(bag, OWN_FIELDS)
    address = bag.get("address")
    if isinstance(address, dict):
        _redact_fields(address, ADDRESS_FIELDS)
        for field_name in _UNREAD_ADDRESS_FIELDS:
            address.pop(field_name, None)
    elif address is not None:
        del bag["address"]
    if has_full_name:
        _redact_full_name(bag)


def _deep_copy(message: Mapping[str, Any]) -> dict[str, Any]:
    """A plain deep copy: through msgspec's JSON (C, ~4x faster than walking it in Python),
    since a message is JSON; by walking it when it holds anything JSON cannot."""
    try:
        copy: dict[str, Any] = _decode(_encode(message))
    except (TypeError, msgspec.ValidationError):
        return {key: _plain_copy(value) for key, value in message.items()}
    return copy


def redact_pii(message: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of `message` with every PII match-key value replaced by its SHA-256 hex."""
    copy = _deep_copy(message)
    for bag_path in TRAIT_BAGS:
        bag: object = copy
        for part in bag_path:
            bag = bag.get(part) if isinstance(bag, dict) else None
        if isinstance(bag, dict):
            _redact_bag(bag, has_full_name=bag_path in FULL_NAME_BAGS)
    # The mobile advertising id is a device identifier: stored as its `hashed_maids` hash.
    device = (
        copy.get("context", {}).get("device") if isinstance(copy.get("context"), dict) else None
    )
    if isinstance(device, dict):
        _redact_fields(device, (("hashed_maids", ADVERTISING_ID_PATH[-1]),))
    # Then PII wherever else a sender put it: an email as userId, traits under their own
    # names, addresses in URLs and free text (identity.piiscan).
    for id_field in ("userId", "anonymousId"):
        if isinstance(copy.get(id_field), str):
            copy[id_field] = stored_id(copy[id_field])
    scrub_tree(copy)
    return copy
