"""Which users and devices the SQLite file may hold identities for: a Bloom filter (issue 12).

Every new visitor misses the identity cache, and a miss costs a read on a read connection off
the event loop: a thread hop and a query whose answer, for a new visitor, is always "nothing".
One process owns a SQLite file, so it sees every identity written to it: a subject this filter
was never told of has no row, and needs no read. A false positive (about 1% per layer) costs
the read every miss cost before; no answer is ever wrong.

The filter learns the table's subjects at open, from a thread of its own (until it is done,
every miss reads), in short reads in key order that each end their own read transaction (one
long scan of millions of identities would keep the WAL from being checkpointed until it
ended), and each subject the group commit writes, as the commit completes. It
grows by layers (each twice the last), so it needs no size up front. PostgreSQL has no such
filter: other processes write there.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Callable

import structlog

logger = structlog.get_logger(__name__)

FALSE_POSITIVE_RATE = 0.01  # per layer
FIRST_LAYER_SUBJECTS = 1 << 20  # ~1.2 MB of bits; each further layer holds twice the last
HASHES = round(-math.log2(FALSE_POSITIVE_RATE))  # 7: the optimum for 1%
BITS_PER_SUBJECT = -math.log(FALSE_POSITIVE_RATE) / math.log(2) ** 2  # ~9.6
LOAD_CHUNK = 2000  # rows per read (its own read transaction) and per lock hold
_MASK32 = 0xFFFFFFFF
# In primary-key order, from after the last key read: each chunk is a short read transaction
# of its own, so a long load never holds a WAL snapshot that keeps checkpoints from finishing.
_SELECT_FIRST = (
    "SELECT source_id, kind, subject FROM identities ORDER BY source_id, kind, subject LIMIT ?"
)
_SELECT_AFTER = (
    "SELECT source_id, kind, subject FROM identities "
    "WHERE (source_id, kind, subject) > (?, ?, ?) "
    "ORDER BY source_id, kind, subject LIMIT ?"
)


class _Layer:
    """A fixed-size Bloom filter; its bits by double hashing of one 64-bit hash."""

    __slots__ = ("bits", "capacity", "count", "size")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.count = 0
        self.size = max(64, math.ceil(capacity * BITS_PER_SUBJECT))
        self.bits = bytearray((self.size + 7) // 8)

    def __contains__(self, hashed: int) -> bool:
        low, high = hashed & _MASK32, ((hashed >> 32) & _MASK32) | 1
        size, bits = self.size, self.bits
        for i in range(HASHES):  # a loop, not all(): a miss stops at its first clear bit
            position = (low + i * high) % size
            if not bits[position >> 3] & (1 << (position & 7)):
                return False
        return True

    def add(self, hashed: int) -> None:
        low, high = hashed & _MASK32, ((hashed >> 32) & _MASK32) | 1
        size, bits = self.size, self.bits
        for i in range(HASHES):
            position = (low + i * high) % size
            bits[position >> 3] |= 1 << (position & 7)
        self.count += 1


class SubjectFilter:
    """May the identities table hold (source, kind, subject)? False means certainly not."""

    def __init__(self, first_layer_subjects: int = FIRST_LAYER_SUBJECTS) -> None:
        self._layers = [_Layer(first_layer_subjects)]
        self._lock = threading.Lock()  # adds come from the collect and the control threads
        self._loaded = threading.Event()
        self._stop = threading.Event()
        self._loader: threading.Thread | None = None

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    def may_hold(self, source_id: str, kind: str, subject: str) -> bool:
        if not self._loaded.is_set():
            return True  # the table is not read yet: only a read can tell
        hashed = hash((source_id, kind, subject))
        return any(hashed in layer for layer in self._layers)

    def add(self, source_id: str, kind: str, subject: str) -> None:
        with self._lock:
            self._add(hash((source_id, kind, subject)))

    def _add(self, hashed: int) -> None:
        layers = self._layers
        if any(hashed in layer for layer in layers):
            return  # a returning user: counting it again would only grow the layers
        last = layers[-1]
        if last.count >= last.capacity:
            last = _Layer(last.capacity * 2)
            layers.append(last)
        last.add(hashed)

    def start_loading(self, connect: Callable[[], sqlite3.Connection]) -> None:
        """Read every stored subject on a thread of its own; `loaded` once all are in."""
        self._loader = threading.Thread(
            target=self._load, args=(connect,), name="pinrelay-subject-filter", daemon=True
        )
        self._loader.start()

    def stop(self) -> None:
        self._stop.set()
        if self._loader is not None:
            self._loader.join()
            self._loader = None

    def _load(self, connect: Callable[[], sqlite3.Connection]) -> None:
        try:
            conn = connect()
        except sqlite3.Error:
            logger.exception("subject filter not loaded: every new visitor costs a read")
            return
        try:
            rows = conn.execute(_SELECT_FIRST, (LOAD_CHUNK,)).fetchall()
            while not self._stop.is_set():
                if not rows:
                    self._loaded.set()
                    return
                hashes = [hash((row[0], row[1], row[2])) for row in rows]
                with self._lock:
                    for hashed in hashes:
                        self._add(hashed)
                # A subject committed after its range was read is taught by its commit.
                last = tuple(rows[-1])
                rows = conn.execute(_SELECT_AFTER, (*last, LOAD_CHUNK)).fetchall()
        except sqlite3.Error:
            logger.exception("subject filter not loaded: every new visitor costs a read")
        finally:
            conn.close()
