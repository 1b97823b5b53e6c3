"""The SQLite store's identity cache: a bounded LRU of compact entries."""

from __future__ import annotations

import threading

from pinrelay.store.records import StoredIdentity
from pinrelay.store.sqlite.identitycache import IdentityCache

EMAIL_HASH = "a" * 64


def test_an_entry_comes_back_as_it_was_put() -> None:
    cache = IdentityCache(threading.RLock())
    stored = StoredIdentity({"em": [EMAIL_HASH], "external_id": ["b" * 64]}, "dj0yJnU9", 12.5)
    cache.put("src_1", "user", "user-1", stored)
    assert cache.get("src_1", "user", "user-1") == stored
    assert cache.click_of("src_1", "user", "user-1") == ("dj0yJnU9", 12.5)


def test_sources_and_kinds_do_not_share_entries() -> None:
    cache = IdentityCache(threading.RLock())
    cache.put("src_1", "user", "same", StoredIdentity({"em": [EMAIL_HASH]}))
    assert cache.get("src_2", "user", "same") is None
    assert cache.get("src_1", "anonymous", "same") is None
    assert cache.click_of("src_2", "user", "same") is None


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = IdentityCache(threading.RLock(), max_entries=2)
    for subject in ("a", "b"):
        cache.put("src_1", "user", subject, StoredIdentity())
    assert cache.get("src_1", "user", "a") is not None  # "a" is now the most recent
    cache.put("src_1", "user", "c", StoredIdentity())
    assert len(cache) == 2
    assert cache.get("src_1", "user", "b") is None
    assert cache.get("src_1", "user", "a") is not None


def test_a_forgotten_entry_is_a_miss() -> None:
    cache = IdentityCache(threading.RLock())
    cache.put("src_1", "user", "u", StoredIdentity())
    cache.forget("src_1", "user", "u")
    assert cache.get("src_1", "user", "u") is None
