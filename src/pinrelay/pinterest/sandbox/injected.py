"""Answers bent by a fault after the request was judged: chosen events failed, or a cut line.

Kept apart from processing.py, which judges requests the way Pinterest does and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from pinrelay.pinterest.model import ConversionApiResponse, DetailedError, EventStatus
from pinrelay.pinterest.sandbox import messages
from pinrelay.pinterest.sandbox.faults import INJECTED_FAILURE
from pinrelay.pinterest.sandbox.processing import EventsAnswer


def fail_chosen_events(
    answer: EventsAnswer, payload: object, event_ids: set[str], status: int
) -> EventsAnswer:
    """The same answer with the events of `event_ids` failed (200 or 422 with details).

    With status 400, a batch holding any of them is refused whole instead.
    """
    if not isinstance(answer.body, ConversionApiResponse | DetailedError):
        return answer  # rejected as a whole already (400): nothing per event to bend
    if status == 400:
        sent = cast(Sequence[Mapping[str, Any]], cast(Mapping[str, Any], payload)["data"])
        if any(event.get("event_id") in event_ids for event in sent):
            refusal = messages.invalid_request("an event of this batch is invalid (injected)")
            return EventsAnswer(400, refusal)
        return answer
    summary = answer.body if isinstance(answer.body, ConversionApiResponse) else answer.body.details
    events = cast(Sequence[Mapping[str, Any]], cast(Mapping[str, Any], payload)["data"])
    statuses = []
    processed = []
    for event, judged in zip(events, summary.events, strict=True):
        if judged.status == "processed" and event.get("event_id") in event_ids:
            judged = EventStatus(
                status="failed", error_message=INJECTED_FAILURE, warning_message=""
            )
        statuses.append(judged)
        if judged.status == "processed":
            processed.append(event)
    bent = ConversionApiResponse(
        num_events_received=len(events), num_events_processed=len(processed), events=statuses
    )
    failed = len(events) - len(processed)
    body: ConversionApiResponse | DetailedError = bent
    if failed and status == 422:
        body = DetailedError(
            code=messages.INVALID_EVENTS_CODE, message=messages.INVALID_EVENTS_MESSAGE, details=bent
        )
    return EventsAnswer(
        422 if failed and status == 422 else 200, body, tuple(processed), len(events), failed
    )


class DroppedResponse(Response):
    """Starts the answer, sends one byte of it, then stops: the server cuts the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": [(b"content-length", str(len(self.body) + 64).encode())]
                + [(k, v) for k, v in self.raw_headers if k != b"content-length"],
            }
        )
        await send({"type": "http.response.body", "body": self.body[:1], "more_body": True})
