"""Fault injection: make the next requests fail the way Pinterest or the network can.

`POST /_sandbox/faults {"status": 503, "count": 2}` makes the next two event requests answer
503 before anything else is checked; `delay_seconds` holds an answer back (for client timeouts).
429 and 503 carry Pinterest's bodies (section 4.3); 502 and 504 carry a proxy's HTML page, the
"garbage body" a sender must also survive.
"""

from __future__ import annotations

import threading
from collections import deque

import msgspec

from pinrelay.pinterest.model import ErrorBody
from pinrelay.pinterest.sandbox.messages import RAMPED_DOWN, RATE_LIMITED

INJECTABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_PENDING_FAULTS = 10_000


class Fault(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    status: int | None = None  # None: answer normally, only late
    count: int = 1
    delay_seconds: float = 0.0


class FaultAnswer(msgspec.Struct, frozen=True):
    status: int
    body: bytes
    media_type: str


def fault_problem(fault: Fault) -> str | None:
    """Why a fault cannot be injected, or None."""
    if fault.status is not None and fault.status not in INJECTABLE_STATUSES:
        return f"status must be one of {sorted(INJECTABLE_STATUSES)} or null"
    if not 1 <= fault.count <= MAX_PENDING_FAULTS:
        return f"count must be between 1 and {MAX_PENDING_FAULTS}"
    if not 0 <= fault.delay_seconds <= 300:
        return "delay_seconds must be between 0 and 300"
    return None


def fault_answer(status: int) -> FaultAnswer:
    if status == 429:
        return FaultAnswer(429, msgspec.json.encode(RATE_LIMITED), "application/json")
    if status == 503:
        return FaultAnswer(503, msgspec.json.encode(RAMPED_DOWN), "application/json")
    if status == 500:
        body = ErrorBody(code=500, message="Unexpected error (injected by the pinrelay sandbox).")
        return FaultAnswer(500, msgspec.json.encode(body), "application/json")
    page = f"<html><body><h1>{status} Gateway error</h1></body></html>".encode()
    return FaultAnswer(status, page, "text/html")


class FaultQueue:
    """Faults waiting for the next event requests, one per request, in order. Thread-safe."""

    def __init__(self) -> None:
        self._pending: deque[Fault] = deque()
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        with self._lock:
            room = MAX_PENDING_FAULTS - len(self._pending)
            single = Fault(status=fault.status, delay_seconds=fault.delay_seconds)
            self._pending.extend([single] * min(fault.count, room))

    def take(self) -> Fault | None:
        with self._lock:
            return self._pending.popleft() if self._pending else None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._pending)

    def clear(self) -> int:
        with self._lock:
            count = len(self._pending)
            self._pending.clear()
            return count
