"""What goes into a pipeline run and what comes out of it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EventInput:
    """One source event as the ingest path knows it."""

    message: Mapping[str, Any]  # Segment message; may hold raw PII (memory only)
    cookies: Mapping[str, str] = field(default_factory=dict)  # request cookies (e.g. _epik)
    # hashed match keys stored for this user/device, e.g. {"em": ["<64 hex>"]}
    identity_keys: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # click id remembered for this user/device (identity.pinterestids), used when the event has none
    stored_click_id: str | None = None
    # the message's own hashed keys, when the caller computed them already (the ingest path
    # does, for the identity store): saves recomputing them for every pipeline
    message_keys: Mapping[str, Sequence[str]] | None = None


@dataclass(frozen=True)
class PipelineOutput:
    pipeline: str  # pipeline name
    event: dict[str, Any]  # the Pinterest event, not yet schema-validated
    notes: tuple[str, ...] = ()  # fields dropped and why (never quoting values: PII)
    origin: str = ""  # where the pipeline came from: preset file, directory file, api:id/name@vN
