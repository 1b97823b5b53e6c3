"""Fault injection: make requests fail the way Pinterest or the network can.

`POST /_sandbox/faults {"status": 503, "count": 2}` makes the next two event requests answer
503 before anything else is checked; `delay_seconds` holds an answer back (for client timeouts).
With `share` (0 < share <= 1) the fault is standing instead: that share of requests, chosen at
random, get it until the faults are cleared. Kinds of fault:

    status 429, 500, 502, 503, 504   Pinterest's bodies for 429 and 503 (section 4.3); a proxy's
                                     HTML page for 502 and 504 (a "garbage body"); a 429 says
                                     X-RateLimit-Reset: `reset_seconds` (default: the window's)
    status 401, 403, 404             the auth and ad account answers (section 4.3)
    fail_event_ids                   the request is judged normally, then these events come
                                     back "failed" (200 or 422 per `status`, default 422);
                                     with status 400 a batch holding any of them is refused
                                     whole, as one bad event makes Pinterest do (section 4.3)
    drop                             the events are judged and recorded, then the connection
                                     is cut mid-answer: the sender cannot know (an ambiguous
                                     retry, the only case where duplicates are expected)
"""

from __future__ import annotations

import random
import threading
from collections import deque

import msgspec

from pinrelay.pinterest.model import ErrorBody
from pinrelay.pinterest.sandbox import messages
from pinrelay.pinterest.sandbox.messages import RAMPED_DOWN, RATE_LIMITED

INJECTABLE_STATUSES = frozenset({401, 403, 404, 429, 500, 502, 503, 504})
FAILED_EVENT_STATUSES = frozenset({200, 400, 422})
MAX_PENDING_FAULTS = 10_000
INJECTED_FAILURE = "Event failed (injected by the pinrelay sandbox)."


class Fault(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    status: int | None = None  # None: answer normally, only late (or failed/dropped, below)
    count: int = 1
    delay_seconds: float = 0.0
    share: float | None = None  # standing fault for this share of requests
    fail_event_ids: list[str] | None = None  # judged, then these come back "failed"
    drop: bool = False  # judged and recorded, then the connection is cut
    reset_seconds: int | None = None  # X-RateLimit-Reset of an injected 429


class FaultAnswer(msgspec.Struct, frozen=True):
    status: int
    body: bytes
    media_type: str


def fault_problem(fault: Fault) -> str | None:
    """Why a fault cannot be injected, or None."""
    if fault.fail_event_ids is not None:
        if fault.status is not None and fault.status not in FAILED_EVENT_STATUSES:
            return "with fail_event_ids, status must be 200, 400, 422 or null (422)"
    elif fault.status is not None and fault.status not in INJECTABLE_STATUSES:
        return f"status must be one of {sorted(INJECTABLE_STATUSES)} or null"
    if fault.drop and (fault.status is not None or fault.fail_event_ids is not None):
        return "drop cannot be combined with status or fail_event_ids"
    if not 1 <= fault.count <= MAX_PENDING_FAULTS:
        return f"count must be between 1 and {MAX_PENDING_FAULTS}"
    if not 0 <= fault.delay_seconds <= 300:
        return "delay_seconds must be between 0 and 300"
    if fault.reset_seconds is not None and not 0 <= fault.reset_seconds <= 3600:
        return "reset_seconds must be between 0 and 3600"
    if fault.share is not None and not 0 < fault.share <= 1:
        return "share must be above 0 and at most 1"
    return None


def fault_answer(status: int) -> FaultAnswer:
    bodies = {
        401: messages.AUTHENTICATION_FAILED,
        403: messages.NOT_PERMITTED,
        404: messages.AD_ACCOUNT_NOT_FOUND,
        429: RATE_LIMITED,
        503: RAMPED_DOWN,
        500: ErrorBody(code=500, message="Unexpected error (injected by the pinrelay sandbox)."),
    }
    body = bodies.get(status)
    if body is not None:
        return FaultAnswer(status, msgspec.json.encode(body), "application/json")
    page = f"<html><body><h1>{status} Gateway error</h1></body></html>".encode()
    return FaultAnswer(status, page, "text/html")


class FaultQueue:
    """Faults for the next event requests (one each, in order), then standing ones. Thread-safe."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._pending: deque[Fault] = deque()
        self._standing: list[Fault] = []
        self._lock = threading.Lock()
        self._rng = rng or random.Random()  # noqa: S311  # test faults, not cryptography

    def add(self, fault: Fault) -> None:
        with self._lock:
            if fault.share is not None:
                self._standing.append(fault)
                return
            room = MAX_PENDING_FAULTS - len(self._pending)
            single = msgspec.structs.replace(fault, count=1)
            self._pending.extend([single] * min(fault.count, room))

    def take(self) -> Fault | None:
        with self._lock:
            if self._pending:
                return self._pending.popleft()
            for fault in self._standing:
                if self._rng.random() < (fault.share or 0):
                    return fault
            return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return [*self._pending, *self._standing]

    def clear(self) -> int:
        with self._lock:
            count = len(self._pending) + len(self._standing)
            self._pending.clear()
            self._standing.clear()
            return count
