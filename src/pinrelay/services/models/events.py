"""Bodies of the event debugger: an event as received, and its journey to Pinterest."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

# The trace outcomes an event filter accepts (the debugger's and the API's): the values of
# mapping.trace.Outcome, spelled out for the OpenAPI schema (tests/unit/mapping/test_trace.py
# checks that the two agree).
Outcome = Literal["queued", "filtered", "unmatchable", "invalid", "no_pipeline"]


class EventOut(BaseModel):
    seq: int
    source_id: str
    message_id: str
    type: str
    name: str | None
    user_id: str | None
    anonymous_id: str | None
    received_at: float
    body: dict[str, Any] = Field(description="The event as received, PII already hashed.")
    trace: list[dict[str, Any]] = Field(description="Per integration: pipeline and outcome.")


class DeliveryStepOut(BaseModel):
    """One Pinterest payload of an event and where its delivery stands."""

    integration_id: str
    event_id: str
    event_name: str
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    last_error: str | None = Field(description="Pinterest's error_message, or why we gave up.")
    warning: str | None = Field(description="Pinterest's warning_message of a delivered event.")
    hint: str | None
    updated_at: float
    payload: dict[str, Any] = Field(description="The event exactly as sent to Pinterest.")


class EventJourneyOut(EventOut):
    """An event from receipt to Pinterest's answer, in one call."""

    deliveries: list[DeliveryStepOut]
