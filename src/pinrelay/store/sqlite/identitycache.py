"""What the SQLite store remembers in memory of recent users and devices: a bounded LRU.

A cache, not the truth: a miss costs one batched read per request (store/sqlite/identity.py),
so the bound is set by memory, not by correctness. Entries are kept compact, because with a
new visitor per event every one of them is written and few are read back: the match keys as
their JSON bytes (decoded on a hit, ~1 µs) under one string key, ~570 B an entry against
~930 B as a `StoredIdentity` of lists of hex strings under a tuple (issue 12: RSS under load).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import msgspec

from pinrelay.store.records import StoredIdentity

IDENTITY_CACHE_ENTRIES = 50_000  # users/devices whose match keys stay in memory (~28 MB)

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(dict[str, list[str]]).decode
_SEP = "\x1f"  # cannot occur in a source id or a kind
_Entry = tuple[bytes, str | None, float]  # match keys as JSON, click id, click id's time


class IdentityCache:
    """LRU of StoredIdentity per (source, kind, subject); safe from several threads."""

    def __init__(self, lock: threading.RLock, max_entries: int = IDENTITY_CACHE_ENTRIES) -> None:
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = lock  # the store's: the collect and control threads both use the cache
        self._max_entries = max_entries

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, source_id: str, kind: str, subject: str) -> StoredIdentity | None:
        key = _SEP.join((source_id, kind, subject))
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
        keys, click_id, click_id_at = entry
        return StoredIdentity(_decode(keys), click_id, click_id_at)

    def put(self, source_id: str, kind: str, subject: str, found: StoredIdentity) -> None:
        entry = (_encode(found.match_keys), found.click_id, found.click_id_at)
        key = _SEP.join((source_id, kind, subject))
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def click_of(self, source_id: str, kind: str, subject: str) -> tuple[str | None, float] | None:
        """The remembered click id and its time, without decoding the keys (None: a miss)."""
        with self._lock:
            entry = self._entries.get(_SEP.join((source_id, kind, subject)))
        return None if entry is None else (entry[1], entry[2])

    def forget(self, source_id: str, kind: str, subject: str) -> None:
        with self._lock:
            self._entries.pop(_SEP.join((source_id, kind, subject)), None)
