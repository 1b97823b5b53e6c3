"""Who an event is about: the match keys, click id, IP and user agent it goes out with.

Issue 3's identity store: `identify` and every event with traits add their hashed keys to
what is known of the device (`anonymousId`) and the user (`userId`); when both appear in one
event the two are linked (each gets the union), so later events of either carry it. Only
hashes are stored, plus the raw click id, which Pinterest wants unhashed (pinterest-capi.md
§5.4). Within one batch, later events see the updates of earlier ones (`pending`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

import msgspec

from pinrelay.collect.network import Network
from pinrelay.collect.visitor import Visitor, visitor_of
from pinrelay.identity.hashing import HASHED_KEYS
from pinrelay.identity.matchkeys import match_keys_of, merge_match_keys
from pinrelay.identity.piiscan import stored_id
from pinrelay.identity.pinterestids import RememberedClick, pin_unauth_keys, resolve_click_id
from pinrelay.store.base import IdentityStore
from pinrelay.store.records import IdentityKind, IdentityUpdate, StoredIdentity

# What earlier events of the same batch changed, by (kind, subject): later events of the
# batch read these before the store (not the store's pending writes, store/sqlite/pending.py).
BatchIdentities = dict[tuple[str, str], StoredIdentity]

# Values remembered per key and subject, the newest kept: a shared device or a long-lived
# user id must not grow a row (and every event's payload) without bound.
MAX_REMEMBERED_VALUES = 10


class IdentityReader(Protocol):
    def identity(self, source_id: str, kind: str, subject: str) -> StoredIdentity: ...


class KnownIdentities:
    """What the store remembers of the subjects of one request, read in one batched lookup
    before the request's events are mapped (never a disk read per event on the event loop)."""

    def __init__(self, source_id: str, found: Mapping[tuple[str, str], StoredIdentity]) -> None:
        self._source_id = source_id
        self._found = found

    def identity(self, source_id: str, kind: str, subject: str) -> StoredIdentity:
        if source_id != self._source_id:
            return StoredIdentity()
        return self._found.get((kind, subject), StoredIdentity())


SUBJECT_FIELDS = (("user", "userId"), ("anonymous", "anonymousId"))


def subjects_of(
    messages: Iterable[Mapping[str, Any]], *, users_only: bool = False
) -> list[tuple[str, str]]:
    """The (kind, subject) pairs of a request's messages, each once, in order."""
    fields = SUBJECT_FIELDS[:1] if users_only else SUBJECT_FIELDS
    seen: dict[tuple[str, str], None] = {}
    for message in messages:
        for kind, field in fields:
            value = message.get(field)
            if isinstance(value, str) and value:
                seen[(kind, value)] = None
    return list(seen)


async def known_identities(
    store: IdentityStore,
    source_id: str,
    messages: Iterable[Mapping[str, Any]],
    *,
    users_only: bool = False,
) -> KnownIdentities:
    """One batched read for a request. `users_only`: rows that are no device (offline
    imports) make up their anonymous ids per row; looking them up would only fill the
    identity cache with empty entries and push out live visitors' identities."""
    subjects = subjects_of(messages, users_only=users_only)
    found = await store.identities_for(source_id, subjects) if subjects else {}
    return KnownIdentities(source_id, found)


class Resolution(msgspec.Struct, frozen=True):
    keys: dict[str, list[str]]  # hashed keys for this event: its own and the stored ones
    click_id: str | None
    visitor: Visitor
    notes: tuple[str, ...]  # what was dropped and why (never quoting values)
    updates: tuple[IdentityUpdate, ...]
    message_keys: dict[str, list[str]]  # the message's own keys (computed once, reused)


def _freshest(*stored: StoredIdentity) -> RememberedClick | None:
    clicks = [RememberedClick(s.click_id, s.click_id_at) for s in stored if s.click_id]
    return max(clicks, key=lambda click: click.at, default=None)


def _apply_visitor(message: dict[str, Any], visitor: Visitor) -> None:
    """Put the visitor's IP and agent where the pipelines read them (context.ip/userAgent)."""
    context = dict(message.get("context") or {})
    for key, value in (("ip", visitor.ip), ("userAgent", visitor.user_agent)):
        if value is None:
            context.pop(key, None)
        else:
            context[key] = value
    message["context"] = context


def _subject(value: object) -> object:
    return stored_id(value) if isinstance(value, str) else value


def resolve_identity(
    store: IdentityReader,
    source_id: str,
    message: dict[str, Any],
    *,
    event_time: float,
    request_ip: str | None,
    header_agent: str | None,
    cookies: Mapping[str, str],
    own_proxies: tuple[Network, ...],
    pending: BatchIdentities,
    persist: bool = True,
) -> Resolution:
    """Resolve the identity of `message` (changed in place: context.ip / userAgent).

    `persist=False` (offline rows): what the message adds to its user is neither written
    nor passed to the next events of the batch, so a row never depends on its neighbours."""
    visitor = visitor_of(
        message, request_ip=request_ip, header_agent=header_agent, own_proxies=own_proxies
    )
    _apply_visitor(message, visitor)
    problems: list[str] = []
    message_keys = match_keys_of(message, problems)
    own = merge_match_keys(message_keys, pin_unauth_keys(message, cookies))
    candidates: tuple[tuple[IdentityKind, object], ...] = (  # as stored: an email, hashed
        ("user", _subject(message.get("userId"))),
        ("anonymous", _subject(message.get("anonymousId"))),
    )
    subjects = [(kind, s) for kind, s in candidates if isinstance(s, str) and s]
    stored = {
        (kind, subject): pending.get((kind, subject)) or store.identity(source_id, kind, subject)
        for kind, subject in subjects
    }
    keys = merge_match_keys(*(s.match_keys for s in stored.values()), own)
    click_id, remember = resolve_click_id(message, cookies, _freshest(*stored.values()), event_time)
    updates: list[IdentityUpdate] = []
    if persist and visitor.bot is None:  # a crawler's traits and clicks are not a person's
        remembered = {
            key: values[-MAX_REMEMBERED_VALUES:]
            for key, values in keys.items()
            if key in HASHED_KEYS
        }
        for (kind, subject), before in stored.items():
            after = StoredIdentity(
                remembered,
                remember.value if remember else before.click_id,
                remember.at if remember else before.click_id_at,
            )
            if after != before:
                pending[(kind, subject)] = after
                updates.append(
                    IdentityUpdate(
                        kind, subject, after.match_keys, after.click_id, after.click_id_at
                    )
                )
    notes = (*problems, *visitor.notes)
    return Resolution(keys, click_id, visitor, notes, tuple(updates), message_keys)
