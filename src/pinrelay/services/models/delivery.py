"""Bodies of delivery: outbox entries, HTTP attempts, dead letters and their replay."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from pinrelay.services.models.strict import StrictModel


class OutboxEntryOut(BaseModel):
    seq: int
    event_id: str
    event_name: str
    event_time: int
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    next_attempt_at: float | None
    last_error: str | None
    warning: str | None
    created_at: float
    updated_at: float


class DeliveriesOut(BaseModel):
    integration_id: str
    counts: dict[str, int]
    entries: list[OutboxEntryOut]
    next_before: int | None = Field(description="Pass as ?before= for the next page.")


class AttemptOut(BaseModel):
    started_at: float
    duration_ms: float
    batch_size: int
    http_status: int | None
    outcome: str
    message: str | None
    test: bool
    hint: str | None = Field(None, description="What to do about this answer, in plain words.")


class DeadLetterOut(BaseModel):
    seq: int = Field(description="The outbox entry; pass it in `seqs` to replay this one.")
    integration_id: str
    event_id: str
    event_name: str
    event_time: int
    attempts: int
    reason: str | None = Field(description="Pinterest's error_message, or why we gave up.")
    created_at: float
    dead_at: float


class DeadLettersOut(BaseModel):
    entries: list[DeadLetterOut]
    next_before: int | None = Field(description="Pass as ?before= for the next page.")


class ReplayIn(StrictModel):
    """Which dead events to queue again; at least one filter, or `all` to mean every one."""

    # The schema says "at least one selector" itself, so clients know before they call.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["integration_id"]},
                {"required": ["seqs"]},
                {"required": ["since"]},
                {"required": ["until"]},
                {"required": ["all"], "properties": {"all": {"const": True}}},
            ]
        },
    )

    integration_id: str | SkipJsonSchema[None] = None
    seqs: Annotated[list[int], Field(min_length=1, max_length=100_000)] | SkipJsonSchema[None] = (
        None
    )
    since: float | SkipJsonSchema[None] = Field(
        None, description="Received at or after (unix seconds)."
    )
    until: float | SkipJsonSchema[None] = Field(None, description="Received before (unix seconds).")
    all: bool = Field(False, description="Replay every dead event (no filter).")
    limit: int = Field(10_000, ge=1, le=100_000, description="Most events one call replays.")


class SkippedOut(BaseModel):
    seq: int
    reason: str


class ReplayOut(BaseModel):
    replayed: int
    replayed_seqs: list[int]
    skipped: list[SkippedOut] = Field(description="Left dead, with why (e.g. older than 7 days).")
