"""What the sandbox received: accepted events and a log of every request, both bounded.

Events are kept as the compact JSON of what was received (about half a kilobyte each, against
several for the parsed objects), so the default 100k cap stays near 50 MB. Tokens are never
stored; the request log keeps a masked form. Thread-safe.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable

import msgspec


class RecordedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One processed event as `GET /_sandbox/events` shows it."""

    ad_account_id: str
    test: bool
    received_at: str  # ISO 8601, UTC
    event: msgspec.Raw  # the event as received (compact JSON)
    event_id: str | None = None  # for filtering; not part of the shown form

    def shown(self) -> RecordedEventView:
        return RecordedEventView(
            ad_account_id=self.ad_account_id,
            test=self.test,
            received_at=self.received_at,
            event=self.event,
        )


class RecordedEventView(msgspec.Struct, frozen=True, kw_only=True):
    ad_account_id: str
    test: bool
    received_at: str
    event: msgspec.Raw


class RequestLogEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One answered request: enough to debug a sender, never its token."""

    request_id: str
    received_at: str
    method: str
    path: str
    ad_account_id: str | None
    test: bool
    status: int
    code: int | None  # Pinterest's error code, for non-200 answers
    message: str | None
    event_count: int
    processed_count: int
    failed_count: int
    token: str | None  # masked: "pina_…oken"


class SandboxRecorder:
    def __init__(self, *, max_events: int, max_requests: int) -> None:
        self._events: deque[RecordedEvent] = deque(maxlen=max_events)
        self._requests: deque[RequestLogEntry] = deque(maxlen=max_requests)
        self._lock = threading.Lock()

    def record_events(self, events: Iterable[RecordedEvent]) -> None:
        with self._lock:
            self._events.extend(events)

    def events(
        self,
        *,
        ad_account_id: str | None = None,
        event_id: str | None = None,
        test: bool | None = None,
    ) -> list[RecordedEvent]:
        with self._lock:
            snapshot = list(self._events)
        return [
            event
            for event in snapshot
            if (ad_account_id is None or event.ad_account_id == ad_account_id)
            and (event_id is None or event.event_id == event_id)
            and (test is None or event.test == test)
        ]

    def clear_events(self) -> int:
        with self._lock:
            count = len(self._events)
            self._events.clear()
            return count

    def record_request(self, entry: RequestLogEntry) -> None:
        with self._lock:
            self._requests.append(entry)

    def requests(self) -> list[RequestLogEntry]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> int:
        with self._lock:
            count = len(self._requests)
            self._requests.clear()
            return count
